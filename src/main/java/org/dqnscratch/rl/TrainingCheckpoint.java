package org.dqnscratch.rl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dqnscratch.io.AtomicFiles;
import org.dqnscratch.io.CheckpointException;
import org.dqnscratch.io.SafeTensors;
import org.dqnscratch.optim.Optimizer;
import org.dqnscratch.tensor.Backend;
import org.dqnscratch.tensor.Tensor;

/**
 * What {@code --resume} needs: the online and target networks, the optimizer's moments and step
 * count, the loop's counters and the states of its random generators, the best network so far;
 * the replay memory (always for classic control, whose replay is small; with {@code --save-replay}
 * for Atari games) and with it the environments' episodes under way. A run directory holds them as
 *
 * <pre>
 *   checkpoints/step-N/   state.safetensors, network.safetensors, best.safetensors (once there is one),
 *                         replay.bin and episodes.bin (with the replay)
 *   checkpoint            one line naming the current folder: "step-N"
 *   last.safetensors      a convenience copy of the current network, for users and eval
 * </pre>
 *
 * <p>With the replay and the episodes, a resumed run is the run that was interrupted, bit for bit
 * (same device and thread count, as for any repeat of a run): it continues every episode under way
 * and every random stream. Without them (an Atari run without {@code --save-replay}, or a checkpoint
 * of an older version) the environments start fresh episodes and the replay starts empty.
 *
 * <p>Why folders and a pointer: a checkpoint is several files, and renaming them one after the
 * other (as this class once did) let a kill between two renames leave halves of two checkpoints,
 * which resume refused, with the previous checkpoint already overwritten. No file system renames
 * several files at once, but it renames one: the checkpoint is written where nothing reads it, and
 * one rename (of the pointer) makes it current. {@link #save} goes:
 * <ol>
 * <li>leftovers of an interrupted save ({@code *.tmp}) are removed;
 * <li>every file is written into {@code checkpoints/step-N.tmp/}, each synced, then the folder;
 *     [{@code files written}]
 * <li>the folder is renamed to {@code step-N} (complete from then on; {@code step-N-2} if a checkpoint
 *     of that step exists, as when the run ends right after a periodic one) and {@code checkpoints/} synced;
 *     [{@code directory renamed}]
 * <li>the pointer is written to a temp file, synced and renamed over {@code checkpoint}: the switch;
 *     [{@code pointer switched}]
 * <li>{@code last.safetensors} is replaced by a hard link to (or a copy of) the new network, by a rename;
 *     [{@code last copied}]
 * <li>the other checkpoint folders are deleted, and a run of an older version's top-level
 *     {@code state.safetensors} and {@code replay.bin}. [{@code old deleted}]
 * </ol>
 * A kill before step 4 leaves the previous checkpoint current, whole; from step 4 on, the new one.
 * {@link #load} reads the pointer's folder; without a pointer, or if it names no complete folder,
 * the newest complete {@code step-N} folder (a kill in step 3 of a run's first checkpoint). A full
 * disk fails the save in step 2, with the previous checkpoint untouched. Run directories of the
 * older layout ({@code state.safetensors} and {@code last.safetensors} at the top) still load.
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    static final String STATE = "state.safetensors", NETWORK = "network.safetensors", REPLAY = "replay.bin", EPISODES = "episodes.bin";
    static final String BEST = "best.safetensors";
    static final String DIR = "checkpoints", POINTER = "checkpoint", LAST = "last.safetensors";
    /** A complete checkpoint folder's name: the step, and a number when a step was saved twice. */
    private static final Pattern NAME = Pattern.compile("step-(\\d+)(?:-(\\d+))?");

    /**
     * Tests only: called after each step of {@link #save}'s protocol, by name; a test throws there
     * to simulate a kill (an unchecked exception) or a failed write (an IOException). By default
     * {@link org.dqnscratch.io.FaultPause} (a real process paused there for a test's SIGKILL).
     */
    interface Hook {
        void at(String stage) throws IOException;
    }

    static Hook crashHook = org.dqnscratch.io.FaultPause::at;

    /**
     * The loop's position: steps, episodes, solve-check bookkeeping, generator states, the loss last
     * read and the gradient steps taken (which decide when the next loss is read back), the step
     * the run was solved at (-1: not yet), and the step of an evaluation a stop request gave up (-1:
     * none), which a resume runs again; noiseRng: the state of a --noisy run's noise generator
     * (NoisyExploration; unused otherwise); qValues: the mean Q(s, a) read with the loss.
     */
    record Counters(long step, long episode, long lastEvalStep, double bestEval, double gradientCredit, long actRng, long sampleRng,
                    double loss, long updates, long solvedStep, long stoppedEvalStep, long noiseRng, double qValues) {
        Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("step", Long.toString(step));
            m.put("episode", Long.toString(episode));
            m.put("last_eval_step", Long.toString(lastEvalStep));
            m.put("best_eval", Double.toString(bestEval));
            m.put("gradient_credit", Double.toString(gradientCredit));
            m.put("act_rng", Long.toString(actRng));
            m.put("sample_rng", Long.toString(sampleRng));
            m.put("loss", Double.toString(loss));
            m.put("updates", Long.toString(updates));
            m.put("solved_step", Long.toString(solvedStep));
            m.put("stopped_eval_step", Long.toString(stoppedEvalStep));
            m.put("noise_rng", Long.toString(noiseRng));
            m.put("q_values", Double.toString(qValues));
            return m;
        }

        static Counters fromMetadata(Map<String, String> m) {
            return new Counters(Long.parseLong(m.get("step")), Long.parseLong(m.get("episode")), Long.parseLong(m.get("last_eval_step")),
                    Double.parseDouble(m.get("best_eval")), Double.parseDouble(m.get("gradient_credit")),
                    Long.parseLong(m.get("act_rng")), Long.parseLong(m.get("sample_rng")),
                    // absent from an older version's checkpoints
                    Double.parseDouble(m.getOrDefault("loss", "NaN")), Long.parseLong(m.getOrDefault("updates", "0")),
                    Long.parseLong(m.getOrDefault("solved_step", "-1")), Long.parseLong(m.getOrDefault("stopped_eval_step", "-1")),
                    // before issue 21 there were no noisy runs: any value does for the others
                    Long.parseLong(m.getOrDefault("noise_rng", "0")),
                    Double.parseDouble(m.getOrDefault("q_values", "NaN")));
        }
    }

    /**
     * Writes a checkpoint and makes it the current one (the protocol above). {@code replay} and
     * {@code episodes}: null when not saved ({@code episodes} is only saved with the replay).
     */
    static void save(Path runDir, QNetwork online, QNetwork target, Optimizer optimizer, Counters c, Map<String, String> networkMeta,
                     Replay replay, OpenEpisodes episodes) throws IOException {
        if (replay == null) episodes = null; // the episodes' past transitions would be missing
        Backend b = online.params().backend;
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        if (target != online) tensors.put("target", flat(b, target.params().values));
        for (var e : optimizer.moments().entrySet()) tensors.put("optimizer." + e.getKey(), flat(b, e.getValue()));
        Map<String, String> meta = c.toMetadata();
        meta.put("format", "dqn-scratch-state");
        meta.put("optimizer_steps", Integer.toString(optimizer.steps()));
        meta.put("network", online.architecture());
        meta.put("parameters", Integer.toString(online.params().values.size));
        meta.put("replay", Boolean.toString(replay != null));
        meta.put("episodes", Boolean.toString(episodes != null));
        meta.put("best", Boolean.toString(Files.isRegularFile(runDir.resolve(BEST))));
        Map<String, String> net = new LinkedHashMap<>(networkMeta);
        net.put("step", Long.toString(c.step()));
        net.remove("eval");

        Path dir = runDir.resolve(DIR);
        removeLeftovers(runDir);
        String name = "step-" + c.step();
        for (int i = 2; Files.exists(dir.resolve(name)); i++) name = "step-" + c.step() + "-" + i;
        Path tmp = dir.resolve(name + ".tmp");
        Files.createDirectories(tmp);
        try {
            SafeTensors.save(tmp.resolve(STATE), tensors, meta); // each file synced (AtomicFiles)
            if (replay != null) replay.save(tmp.resolve(REPLAY));
            if (episodes != null) episodes.save(tmp.resolve(EPISODES));
            online.save(tmp.resolve(NETWORK), net);
            // The best network as of this step (a later evaluation may replace the run's best.safetensors
            // before a kill): best.safetensors is only ever replaced by a rename, so a link keeps this one.
            if (Files.isRegularFile(runDir.resolve(BEST))) linkOrCopy(runDir.resolve(BEST), tmp.resolve(BEST));
            AtomicFiles.syncDirectory(tmp);
            crashHook.at("files written");
        } catch (IOException e) { // a full disk, say: give the space back; the previous checkpoint stays current
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // removed at the next save or resume
            }
            throw e;
        }

        Path done = dir.resolve(name);
        Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(dir);
        crashHook.at("directory renamed");

        String pointed = name;
        AtomicFiles.write(runDir.resolve(POINTER), o -> o.write((pointed + "\n").getBytes(StandardCharsets.UTF_8)));
        crashHook.at("pointer switched");

        // A hard link costs nothing and stays valid when the folder is deleted (files here are only
        // ever replaced by a rename, never rewritten in place); a copy where links are not allowed.
        Path link = runDir.resolve("." + LAST + ".link.tmp");
        Files.deleteIfExists(link);
        linkOrCopy(done.resolve(NETWORK), link);
        Files.move(link, runDir.resolve(LAST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.syncDirectory(runDir);
        crashHook.at("last copied");

        try (Stream<Path> s = Files.list(dir)) {
            for (Path old : s.filter(p -> !p.equals(done) && NAME.matcher(p.getFileName().toString()).matches()).toList()) deleteTree(old);
        }
        Files.deleteIfExists(runDir.resolve(STATE)); // an older version's checkpoint, now replaced
        Files.deleteIfExists(runDir.resolve(REPLAY));
        crashHook.at("old deleted");
    }

    /** {@code to} as a hard link to {@code from}, or a synced copy where links are not allowed. */
    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to);
            try (var ch = java.nio.channels.FileChannel.open(to, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    /**
     * What {@link #load} restored: the counters; the episodes under way (null: start fresh ones); the
     * checkpoint's best network (null: none), when it recorded one ({@code bestRecorded}; older
     * versions did not, and their run's best.safetensors is kept as it is).
     */
    record Resumed(Counters counters, OpenEpisodes episodes, Path best, boolean bestRecorded) {}

    /**
     * Puts the checkpoint's best network back as the run's best.safetensors, or removes that file when
     * there was none at the checkpoint: an evaluation after the checkpoint, in the run that was
     * interrupted, is not part of the run that continues from it.
     */
    static void restoreBest(Path runDir, Path best) throws IOException {
        Path file = runDir.resolve(BEST);
        if (best == null) {
            Files.deleteIfExists(file);
        } else {
            Path link = runDir.resolve("." + BEST + ".link.tmp");
            Files.deleteIfExists(link);
            linkOrCopy(best, link);
            Files.move(link, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        AtomicFiles.syncDirectory(runDir);
    }

    private static SafeTensors.Entry flat(Backend b, Tensor t) { return new SafeTensors.Entry(new int[] {t.size}, b.toArray(t)); }

    /**
     * Loads the current checkpoint of {@code runDir} (see the class comment) into freshly built
     * networks and optimizer (and replay, when the checkpoint has one and {@code replay} is not
     * null); returns the counters and, with the replay, the episodes under way ({@code envs}
     * environments, observations of {@code obsSize}). Leftovers of an interrupted save are removed
     * first; a fallback from a bad pointer is reported on {@code warn}.
     */
    static Resumed load(Path runDir, QNetwork online, QNetwork target, Optimizer optimizer, Replay replay, int envs, int obsSize,
                        Consumer<String> warn) throws IOException {
        removeLeftovers(runDir);
        Path dir = current(runDir, warn);
        if (dir != null) {
            return load(dir.resolve(STATE), dir.resolve(NETWORK), dir.resolve(REPLAY), dir.resolve(EPISODES), online, target, optimizer, replay,
                    envs, obsSize, Files.isRegularFile(dir.resolve(BEST)) ? dir.resolve(BEST) : null);
        }
        if (Files.isRegularFile(runDir.resolve(STATE)) && Files.isRegularFile(runDir.resolve(LAST))) { // an older version's layout
            return load(runDir.resolve(STATE), runDir.resolve(LAST), runDir.resolve(REPLAY), null, online, target, optimizer, replay, envs, obsSize, null);
        }
        throw new CheckpointException(runDir + " has no checkpoint to resume (no " + DIR + "/step-N folder); was it written by a run of this version?");
    }

    /** The folder of the current checkpoint: the pointer's, else the newest complete one; null when there is none. */
    static Path current(Path runDir, Consumer<String> warn) throws IOException {
        Path dir = runDir.resolve(DIR), pointer = runDir.resolve(POINTER);
        String named = null;
        if (Files.isRegularFile(pointer)) {
            named = Files.readString(pointer, StandardCharsets.UTF_8).strip();
            if (NAME.matcher(named).matches() && complete(dir.resolve(named))) return dir.resolve(named);
        }
        List<Path> folders = List.of();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                folders = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && complete(p)).toList();
            }
        }
        Path newest = folders.stream().max(Comparator.comparingLong((Path p) -> number(p, 1)).thenComparingLong(p -> number(p, 2))).orElse(null);
        if (newest != null) {
            warn.accept("warning: " + (named == null ? "no " + pointer : pointer + " names " + (named.isEmpty() ? "nothing" : named)
                    + ", not a complete checkpoint") + "; resuming from the newest complete one, " + DIR + "/" + newest.getFileName());
        }
        return newest;
    }

    private static boolean complete(Path folder) {
        return Files.isRegularFile(folder.resolve(STATE)) && Files.isRegularFile(folder.resolve(NETWORK));
    }

    private static long number(Path folder, int group) {
        Matcher m = NAME.matcher(folder.getFileName().toString());
        return m.matches() && m.group(group) != null ? Long.parseLong(m.group(group)) : 1;
    }

    /**
     * What an interrupted save leaves: {@code checkpoints/*.tmp} and the run directory's
     * {@code .*.tmp} temp files (AtomicFiles's, the link's). Only this process writes there (the run
     * directory's lock), and never while it calls this.
     */
    static void removeLeftovers(Path runDir) throws IOException {
        for (boolean top : new boolean[] {true, false}) {
            Path dir = top ? runDir : runDir.resolve(DIR);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".tmp") && (!top || n.startsWith(".") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))) deleteTree(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path q : s.toList()) deleteTree(q);
            }
        }
        Files.deleteIfExists(p);
    }

    private static Resumed load(Path stateFile, Path netFile, Path replayFile, Path episodesFile, QNetwork online, QNetwork target,
                                Optimizer optimizer, Replay replay, int envs, int obsSize, Path best) throws IOException {
        SafeTensors.Contents state = SafeTensors.read(stateFile);
        Map<String, String> meta = state.metadata();
        if (!"dqn-scratch-state".equals(meta.get("format"))) throw new CheckpointException(stateFile + ": not a dqn-scratch training state");
        if (!online.architecture().equals(meta.get("network")) || !Integer.toString(online.params().values.size).equals(meta.get("parameters"))) {
            throw new CheckpointException(stateFile + ": a " + meta.get("network") + " of " + meta.get("parameters") + " parameters, but this run builds a "
                    + online.architecture() + " of " + online.params().values.size);
        }
        Counters c;
        try {
            c = Counters.fromMetadata(meta);
        } catch (RuntimeException e) {
            throw new CheckpointException(stateFile + ": bad counters (" + e.getMessage() + ")");
        }
        // Counts of what has happened cannot be negative (a step of -5000 resumed and trained from there).
        int optimizerSteps;
        try {
            optimizerSteps = Integer.parseInt(meta.get("optimizer_steps"));
        } catch (NumberFormatException e) {
            throw new CheckpointException(stateFile + ": bad counters (optimizer_steps " + meta.get("optimizer_steps") + ")");
        }
        if (c.step() < 0 || c.episode() < 0 || optimizerSteps < 0 || c.updates() < 0) {
            throw new CheckpointException(stateFile + ": bad counters (step " + c.step() + ", episode " + c.episode() + ", optimizer_steps "
                    + optimizerSteps + ", updates " + c.updates() + "; none may be negative)");
        }
        // Cannot happen in a checkpoint folder; an older version's top-level pair can be mixed by a kill between its renames.
        String netStep = SafeTensors.read(netFile).metadata().get("step");
        if (!Long.toString(c.step()).equals(netStep)) {
            throw new CheckpointException(netFile + " (step " + netStep + ") and " + stateFile.getFileName() + " (step " + c.step() + ") are from different checkpoints");
        }
        SafeTensors.load(netFile, online.params());
        Backend b = online.params().backend;
        if (target != online) put(b, state, "target", target.params().values, stateFile);
        for (var e : optimizer.moments().entrySet()) put(b, state, "optimizer." + e.getKey(), e.getValue(), stateFile);
        optimizer.resumeAt(Integer.parseInt(meta.get("optimizer_steps")));
        OpenEpisodes episodes = null;
        if (replay != null && Boolean.parseBoolean(meta.get("replay"))) {
            if (!Files.isRegularFile(replayFile)) throw new CheckpointException(stateFile + " was saved with its replay, but " + replayFile + " is missing");
            if (episodesFile != null && Boolean.parseBoolean(meta.get("episodes"))) {
                if (!Files.isRegularFile(episodesFile)) throw new CheckpointException(stateFile + " was saved with its episodes, but " + episodesFile + " is missing");
                episodes = OpenEpisodes.load(episodesFile, envs, obsSize);
            }
            replay.load(replayFile);
            if (episodes == null) replay.truncateEpisodes(); // the environments start fresh episodes
        }
        return new Resumed(c, episodes, best, meta.containsKey("best"));
    }

    private static void put(Backend b, SafeTensors.Contents state, String name, Tensor into, Path file) throws CheckpointException {
        SafeTensors.Entry e = state.tensors().get(name);
        if (e == null || e.data().length != into.size) {
            throw new CheckpointException(file + ": " + (e == null ? "no tensor '" + name + "'" : "'" + name + "' has " + e.data().length + " values, expected " + into.size)
                    + " (another optimizer or network?)");
        }
        b.upload(into, e.data(), 0);
    }
}
