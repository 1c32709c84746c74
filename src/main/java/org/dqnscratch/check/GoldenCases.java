package org.dqnscratch.check;

import static org.dqnscratch.check.Golden.data;
import static org.dqnscratch.check.Golden.expected;
import static org.dqnscratch.check.Golden.shape;
import static org.dqnscratch.check.Golden.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.dqnscratch.nn.Graph;
import org.dqnscratch.nn.Linear;
import org.dqnscratch.nn.Loss;
import org.dqnscratch.nn.Module;
import org.dqnscratch.nn.NoisyLinear;
import org.dqnscratch.nn.Parameters;
import org.dqnscratch.nn.QOps;
import org.dqnscratch.nn.Relu;
import org.dqnscratch.nn.Sequential;
import org.dqnscratch.optim.Adam;
import org.dqnscratch.optim.GradClip;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.optim.RmsProp;
import org.dqnscratch.optim.Sgd;
import org.dqnscratch.rl.DqnUpdate;
import org.dqnscratch.nn.Categorical;
import org.dqnscratch.nn.Support;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.ConvGeometry;
import org.dqnscratch.tensor.Tensor;

/**
 * Every case of the PyTorch golden file, as {@link Case}s of group {@code golden <op>}. Tolerances
 * from the reference README: 1e-5 relative, 1e-4 for long sums (conv weight gradients).
 */
public final class GoldenCases {
    private GoldenCases() {}

    static final double ATOL = 1e-5, RTOL = 1e-5, RTOL_SUM = 1e-4;

    /** The ops of the golden file, in the order the command reports them. */
    public static final List<String> OPS =
            List.of("linear", "conv2d", "relu", "mse", "smooth_l1", "weighted_mse", "weighted_smooth_l1", "td_target", "optimizer", "dqn_update_mlp",
                    "dueling_atoms", "c51", "noisy_linear");

    public static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (String op : OPS) out.addAll(of(op));
        return out;
    }

    /** The cases of one op of the golden file. */
    public static List<Case> of(String op) {
        List<Case> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : Golden.cases(op)) {
            String name = "#" + (i++) + (op.equals("optimizer") ? " " + c.get("optimizer").asText() + " clip " + c.get("clip").asText() : "");
            out.add(new Case("golden " + op, name, (b, check) -> run(op, c, b, check)));
        }
        return out;
    }

    private static void run(String op, JsonNode c, Backend b, Check check) {
        switch (op) {
            case "linear" -> linear(c, b, check);
            case "conv2d" -> conv2d(c, b, check);
            case "relu" -> relu(c, b, check);
            case "mse" -> loss(Loss.mse(), c, b, check);
            case "smooth_l1" -> loss(Loss.smoothL1(1f), c, b, check);
            case "weighted_mse" -> loss(Loss.mse(), c, b, check);
            case "weighted_smooth_l1" -> loss(Loss.smoothL1(1f), c, b, check);
            case "td_target" -> tdTarget(c, b, check);
            case "optimizer" -> optimizer(c, b, check);
            case "dqn_update_mlp" -> dqnUpdateMlp(c, b, check);
            case "dueling_atoms" -> duelingAtoms(c, b, check);
            case "c51" -> c51(c, b, check);
            case "noisy_linear" -> noisyLinear(c, b, check);
            default -> throw new IllegalArgumentException("no runner for golden op " + op);
        }
    }

    static void linear(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        Tensor x = tensor(b, in.get("x")), w = tensor(b, in.get("weight")), bias = tensor(b, in.get("bias"));
        Tensor dy = tensor(b, in.get("dy"));
        int N = x.dim(0), C = x.dim(1), OC = w.dim(0);
        Tensor y = b.zeros(N, OC), dx = b.zeros(N, C), dw = b.zeros(OC, C), db = b.zeros(OC);
        b.matmul_forward(y, x, w, bias, N, C, OC);
        b.matmul_backward(dx, dw, db, dy, x, w, N, C, OC);
        check.close("y", expected(ex.get("y")), b.toArray(y), ATOL, RTOL);
        check.close("dx", expected(ex.get("dx")), b.toArray(dx), ATOL, RTOL);
        check.close("dweight", expected(ex.get("dweight")), b.toArray(dw), ATOL, RTOL_SUM);
        check.close("dbias", expected(ex.get("dbias")), b.toArray(db), ATOL, RTOL_SUM);
    }

    static void conv2d(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        int[] xs = shape(in.get("x")), ws = shape(in.get("weight"));
        ConvGeometry g = new ConvGeometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3],
                c.get("stride").asInt(), c.get("padding").asInt());
        Tensor x = tensor(b, in.get("x")), w = tensor(b, in.get("weight")), bias = tensor(b, in.get("bias"));
        Tensor dy = tensor(b, in.get("dy"));
        Tensor y = b.zeros(g.N(), g.OC(), g.OH(), g.OW());
        Tensor dx = b.zeros(xs), dw = b.zeros(ws), db = b.zeros(g.OC());
        b.conv2d_forward(y, x, w, bias, g);
        b.conv2d_backward(dx, dw, db, dy, x, w, g);
        check.close("y", expected(ex.get("y")), b.toArray(y), ATOL, RTOL_SUM);
        check.close("dx", expected(ex.get("dx")), b.toArray(dx), ATOL, RTOL_SUM);
        check.close("dweight", expected(ex.get("dweight")), b.toArray(dw), ATOL, RTOL_SUM);
        check.close("dbias", expected(ex.get("dbias")), b.toArray(db), ATOL, RTOL_SUM);
    }

    static void relu(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        Tensor x = tensor(b, in.get("x")), dy = tensor(b, in.get("dy"));
        Tensor y = b.zeros(x.shape()), dx = b.zeros(x.shape());
        b.relu_forward(y, x, x.size);
        b.relu_backward(dx, dy, y, x.size);
        check.close("y", expected(ex.get("y")), b.toArray(y), 0, 0); // exact: no arithmetic
        check.close("dx", expected(ex.get("dx")), b.toArray(dx), 0, 0);
    }

    static void loss(Loss loss, JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        Tensor pred = tensor(b, in.get("pred")), target = tensor(b, in.get("target"));
        pred.grad = b.zeros(pred.shape());
        if (in.has("weight")) loss = loss.weightedBy(tensor(b, in.get("weight")));
        Graph g = Graph.training(b);
        Tensor l = loss.forward(g, pred, target);
        g.backward(l);
        check.close("loss", expected(ex.get("loss")), b.toArray(l), ATOL, RTOL);
        check.close("dpred", expected(ex.get("dpred")), b.toArray(pred.grad), ATOL, RTOL);
    }

    /** The dueling combination per atom (Rainbow's distributional dueling head) and its backward. */
    static void duelingAtoms(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        Tensor v = tensor(b, in.get("v")), adv = tensor(b, in.get("adv")), dq = tensor(b, in.get("dq"));
        int K = in.get("atoms").asInt(), N = v.dim(0), A = adv.dim(1) / K;
        Tensor q = b.zeros(N, A * K), dv = b.zeros(N, K), dadv = b.zeros(N, A * K);
        b.dueling_forward(q, v, adv, N, A, K);
        b.dueling_backward(dv, dadv, dq, N, A, K);
        check.close("q", expected(ex.get("q")), b.toArray(q), ATOL, RTOL);
        check.close("dv", expected(ex.get("dv")), b.toArray(dv), ATOL, RTOL);
        check.close("dadv", expected(ex.get("dadv")), b.toArray(dadv), ATOL, RTOL);
    }

    /**
     * C51's loss as CleanRL's c51.py computes it (its target distribution, its projection), on
     * log-softmax: the networks' logits are the inputs, so the case checks the ops DqnUpdate chains
     * (log-softmax, expectation, argmax, projection, cross-entropy and their backward) end to end.
     */
    static void c51(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        Support support = new Support(in.get("atoms").asInt(), (float) in.get("v_min").asDouble(), (float) in.get("v_max").asDouble());
        int K = support.atoms();
        Tensor logits = tensor(b, in.get("logits")), next = tensor(b, in.get("next_logits"));
        int N = logits.dim(0), A = logits.dim(1) / K;
        logits.grad = b.zeros(logits.shape());
        Tensor actions = tensor(b, in.get("actions")), reward = tensor(b, in.get("rewards")), dones = tensor(b, in.get("dones"));
        Graph target = Graph.inference(b);
        Tensor logpNext = Categorical.logSoftmax(target, next.view(N * A, K));
        Tensor chooser = in.has("next_online_logits") ? Categorical.logSoftmax(target, tensor(b, in.get("next_online_logits")).view(N * A, K)) : logpNext;
        Tensor nextAction = QOps.argmax(target, Categorical.expectation(target, chooser, support, N, A));
        Tensor m = Categorical.projection(target, logpNext, nextAction, reward, dones, (float) in.get("gamma").asDouble(), support, N, A);
        Categorical.Loss loss = new Categorical.Loss(support, in.has("weight") ? tensor(b, in.get("weight")) : null);
        Graph g = Graph.training(b);
        Tensor l = loss.forward(g, Categorical.logSoftmax(g, g.view(logits, N * A, K)), actions, m);
        g.backward(l);
        check.close("target_pmfs", expected(ex.get("target_pmfs")), b.toArray(m), ATOL, RTOL_SUM);
        check.close("per_sample", expected(ex.get("per_sample")), b.toArray(loss.perSample()), ATOL, RTOL_SUM);
        check.close("loss", expected(ex.get("loss")), b.toArray(l), ATOL, RTOL_SUM);
        check.close("dlogits", expected(ex.get("dlogits")), b.toArray(logits.grad), ATOL, RTOL_SUM);
    }

    static void tdTarget(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        float gamma = (float) c.get("gamma").asDouble();
        Tensor qt = tensor(b, in.get("q_next_target")), qo = tensor(b, in.get("q_next_online"));
        // the reference file's "done" is the terminated flag (a truncation bootstraps)
        Tensor r = tensor(b, in.get("reward")), terminated = tensor(b, in.get("done"));
        Graph g = Graph.inference(b);
        check.close("y", expected(ex.get("y")), b.toArray(QOps.tdTarget(g, qt, null, r, terminated, gamma)), ATOL, RTOL);
        check.close("y_double", expected(ex.get("y_double")), b.toArray(QOps.tdTarget(g, qt, qo, r, terminated, gamma)), ATOL, RTOL);
    }

    /** A module with a single parameter vector, to drive optimizers on a bare buffer. */
    record Vector(int n) implements Module {
        @Override public Tensor forward(Graph g, Tensor x) { return x; }
        @Override public void declare(Parameters.Builder p, String prefix) { p.bias(prefix + "p", 1, 1, n); }
    }

    static Optimizer optimizer(String name, Parameters p) {
        return switch (name) {
            case "sgd_momentum" -> new Sgd(p, 0.05f, 0.9f, false);
            case "adam" -> new Adam(p, 1e-2f);
            case "adam_eps_1e-2" -> new Adam(p, 1e-3f, 0.9f, 0.999f, 1e-2f);
            case "rmsprop" -> new RmsProp(p, 1e-2f);
            case "rmsprop_centered_momentum" -> new RmsProp(p, 2.5e-4f, 0.95f, 0.01f, 0.95f, true, false);
            default -> throw new IllegalArgumentException("unknown golden optimizer " + name);
        };
    }

    static GradClip clip(String name) {
        if (name.equals("none")) return GradClip.NONE;
        if (name.startsWith("norm_")) return GradClip.byNorm(Float.parseFloat(name.substring(5)));
        if (name.startsWith("value_")) return GradClip.byValue(Float.parseFloat(name.substring(6)));
        throw new IllegalArgumentException("unknown golden clip " + name);
    }

    static void optimizer(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs");
        float[] p0 = data(in.get("p0"));
        Parameters params = Parameters.allocate(b, new Vector(p0.length));
        b.upload(params.values, p0, 0);
        Optimizer opt = optimizer(c.get("optimizer").asText(), params).withClip(clip(c.get("clip").asText()));
        JsonNode grads = in.get("grads"), after = c.get("expected").get("params_after_each_step");
        for (int t = 0; t < grads.size(); t++) {
            b.upload(params.grads, data(grads.get(t)), 0);
            opt.step();
            check.close("params after step " + (t + 1), expected(after.get(t)), b.toArray(params.values), ATOL, RTOL_SUM);
        }
    }

    static Module tinyMlp() {
        return new Sequential(new Linear(4, 8), new Relu(), new Linear(8, 8), new Relu(), new Linear(8, 2));
    }

    static void load(Backend b, Parameters p, JsonNode byName) {
        for (Iterator<Map.Entry<String, JsonNode>> it = byName.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            b.upload(p.get(e.getKey()).value(), data(e.getValue()), 0);
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode n) { return n::fields; }

    static void dqnUpdateMlp(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        Module online = tinyMlp(), target = tinyMlp();
        Parameters po = Parameters.allocate(b, online), pt = Parameters.allocate(b, target);
        load(b, po, in.get("params"));
        load(b, pt, in.get("target_params"));
        Tensor s = tensor(b, in.get("s")), sNext = tensor(b, in.get("s_next"));
        Tensor r = tensor(b, in.get("r")), terminated = tensor(b, in.get("done")); // "done": terminated, as above
        float[] actions = data(in.get("a"));
        Tensor a = b.fromArray(actions, actions.length);

        Graph tg = Graph.inference(b), og = Graph.training(b);
        Tensor y = QOps.tdTarget(tg, target.forward(tg, sNext), null, r, terminated, (float) c.get("gamma").asDouble());
        Tensor loss = Loss.smoothL1(1f).forward(og, QOps.gather(og, online.forward(og, s), a), y);
        po.zeroGrad();
        og.backward(loss);
        check.close("y", expected(ex.get("y")), b.toArray(y), ATOL, RTOL);
        check.close("loss", expected(ex.get("loss")), b.toArray(loss), ATOL, RTOL);
        for (var e : fields(ex.get("grads"))) {
            check.close("grad " + e.getKey(), expected(e.getValue()), b.toArray(po.get(e.getKey()).value().grad), ATOL, RTOL_SUM);
        }
        new Adam(po, 1e-2f).step();
        for (var e : fields(ex.get("params_after"))) {
            check.close("param " + e.getKey(), expected(e.getValue()), b.toArray(po.get(e.getKey()).value()), ATOL, RTOL_SUM);
        }

        // The same update through the agent's DqnUpdate.
        Module online2 = tinyMlp(), target2 = tinyMlp();
        Parameters po2 = Parameters.allocate(b, online2), pt2 = Parameters.allocate(b, target2);
        load(b, po2, in.get("params"));
        load(b, pt2, in.get("target_params"));
        DqnUpdate update = new DqnUpdate(online2, po2, target2, pt2, new Adam(po2, 1e-2f), Loss.smoothL1(1f),
                (float) c.get("gamma").asDouble(), false);
        float l2 = update.step(s, a, r, terminated, sNext, true);
        check.close("DqnUpdate loss", expected(ex.get("loss")), new float[] {l2}, ATOL, RTOL);
        for (var e : fields(ex.get("params_after"))) {
            check.close("DqnUpdate param " + e.getKey(), expected(e.getValue()), b.toArray(po2.get(e.getKey()).value()), ATOL, RTOL_SUM);
        }
    }

    /** Issue 21: a NoisyLinear with the file's noise, forward and the gradients of sum(y * dy). */
    static void noisyLinear(JsonNode c, Backend b, Check check) {
        JsonNode in = c.get("inputs"), ex = c.get("expected");
        int[] ws = shape(in.get("weight_mu"));
        NoisyLinear layer = new NoisyLinear(ws[1], ws[0]);
        Parameters p = Parameters.allocate(b, layer);
        for (String name : List.of("weight_mu", "weight_sigma", "bias_mu", "bias_sigma")) b.upload(p.get(name).value(), data(in.get(name)), 0);
        layer.setNoise(b, data(in.get("eps_in")), data(in.get("eps_out")));
        Tensor x = tensor(b, in.get("x"));
        x.grad = b.zeros(x.shape());
        Graph g = Graph.training(b);
        Tensor y = layer.forward(g, x);
        g.backward(y, tensor(b, in.get("dy")));
        check.close("y", expected(ex.get("y")), b.toArray(y), ATOL, RTOL);
        check.close("dx", expected(ex.get("dx")), b.toArray(x.grad), ATOL, RTOL);
        for (String name : List.of("weight_mu", "weight_sigma", "bias_mu", "bias_sigma")) {
            check.close("d" + name, expected(ex.get("d" + name)), b.toArray(p.get(name).value().grad), ATOL, RTOL_SUM);
        }
    }
}
