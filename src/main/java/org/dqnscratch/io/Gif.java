package org.dqnscratch.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Animated GIFs with the JDK's own writer (no display needed), written atomically. */
public final class Gif {
    private Gif() {}

    static {
        // In-memory image streams: the file cache registers a JVM shutdown hook, which fails when
        // we write while shutting down (Ctrl-C saves the run's files from a shutdown hook).
        javax.imageio.ImageIO.setUseCache(false);
    }

    /**
     * Writes {@code frames} (all the same size) looping forever, {@code delayMs} per frame (GIF
     * resolution is 10 ms). After the first frame only the rectangle that changed is stored, so
     * a CartPole episode of 500 frames writes in a fraction of a second.
     */
    public static void write(Path file, List<BufferedImage> frames, int delayMs) throws IOException {
        if (frames.isEmpty()) throw new IllegalArgumentException("a GIF needs at least one frame");
        int w = frames.get(0).getWidth(), h = frames.get(0).getHeight();
        AtomicFiles.write(file, out -> {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.prepareWriteSequence(null);
                int[] previous = null;
                for (int i = 0; i < frames.size(); i++) {
                    BufferedImage frame = frames.get(i);
                    if (frame.getWidth() != w || frame.getHeight() != h) throw new IllegalArgumentException("GIF frames differ in size");
                    int[] px = pixels(frame, w, h);
                    int[] box = previous == null ? new int[] {0, 0, w, h} : changed(previous, px, w, h);
                    BufferedImage f = indexed(px, w, box);
                    IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(f), null);
                    configure(meta, delayMs, i == 0, (java.awt.image.IndexColorModel) f.getColorModel(), box[0], box[1]);
                    writer.writeToSequence(new IIOImage(f, null, meta), null);
                    previous = px;
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
        });
    }

    /**
     * The frame's pixels, one int each whose low 24 bits are its RGB: an INT_RGB or INT_ARGB image's
     * own array, else getRGB's copy. getRGB converts pixel by pixel through the colour model: it was
     * 85% of the time a 500-frame CartPole GIF took (~1 s of the run's end).
     */
    static int[] pixels(BufferedImage f, int w, int h) {
        java.awt.image.Raster r = f.getRaster();
        if ((f.getType() == BufferedImage.TYPE_INT_RGB || f.getType() == BufferedImage.TYPE_INT_ARGB)
                && r.getDataBuffer() instanceof java.awt.image.DataBufferInt data && data.getNumBanks() == 1 && data.getOffset() == 0
                && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0 && data.getSize() == w * h
                && r.getSampleModel() instanceof java.awt.image.SinglePixelPackedSampleModel sm && sm.getScanlineStride() == w) {
            return data.getData();
        }
        return f.getRGB(0, 0, w, h, null, 0, w);
    }

    /** {x, y, width, height} of the pixels that differ (one pixel when none do). */
    static int[] changed(int[] a, int[] b, int w, int h) {
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                if (a[row + x] != b[row + x]) {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    y1 = y;
                }
            }
        }
        return x1 < 0 ? new int[] {0, 0, 1, 1} : new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }

    /**
     * The {x, y, width, height} part of ARGB pixels {@code px} (row width {@code w}) as a palette
     * image, so the writer only has to compress it (its own colour reduction of RGB frames is
     * slow). Up to 256 colours are kept exactly; more are mapped to the 6x6x6 colour cube.
     */
    static BufferedImage indexed(int[] px, int w, int[] box) {
        int bx = box[0], by = box[1], bw = box[2], bh = box[3];
        byte[] idx = new byte[bw * bh];
        java.util.Map<Integer, Integer> palette = new java.util.HashMap<>();
        int lastColor = 0, lastIndex = -1;
        boolean exact = true;
        for (int y = 0; y < bh && exact; y++) {
            for (int x = 0; x < bw; x++) {
                int c = px[(by + y) * w + bx + x] & 0xFFFFFF;
                if (c != lastColor || lastIndex < 0) {
                    Integer k = palette.get(c);
                    if (k == null) {
                        if (palette.size() == 256) { exact = false; break; }
                        k = palette.size();
                        palette.put(c, k);
                    }
                    lastColor = c;
                    lastIndex = k;
                }
                idx[y * bw + x] = (byte) lastIndex;
            }
        }
        // A palette of the colours used, its size a power of two (GIF's): fewer table entries to write and
        // shorter LZW codes than 256 for a frame of a few colours (CartPole's have under 16).
        // 1, 2, 4 or 8 bits: the sizes a packed palette image (and so the JDK's GIF writer) takes.
        int bits = !exact || palette.size() > 16 ? 8 : palette.size() > 4 ? 4 : palette.size() > 2 ? 2 : 1;
        int[] colors = new int[1 << bits];
        if (exact) {
            palette.forEach((c, k) -> colors[k] = c);
        } else {
            for (int k = 0; k < 216; k++) colors[k] = (k / 36 * 51) << 16 | (k / 6 % 6 * 51) << 8 | (k % 6 * 51);
            for (int y = 0; y < bh; y++) {
                for (int x = 0; x < bw; x++) {
                    int c = px[(by + y) * w + bx + x];
                    idx[y * bw + x] = (byte) (((c >> 16 & 255) + 25) / 51 * 36 + ((c >> 8 & 255) + 25) / 51 * 6 + ((c & 255) + 25) / 51);
                }
            }
        }
        java.awt.image.IndexColorModel cm = new java.awt.image.IndexColorModel(bits, colors.length, colors, 0, false, -1, java.awt.image.DataBuffer.TYPE_BYTE);
        java.awt.image.WritableRaster raster = cm.createCompatibleWritableRaster(bw, bh);
        raster.setDataElements(0, 0, bw, bh, idx);
        return new BufferedImage(cm, raster, false, null);
    }

    private static void configure(IIOMetadata meta, int delayMs, boolean first, java.awt.image.IndexColorModel palette,
                                  int left, int top) throws IOException {
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode descriptor = child(root, "ImageDescriptor");
        descriptor.setAttribute("imageLeftPosition", Integer.toString(left));
        descriptor.setAttribute("imageTopPosition", Integer.toString(top));
        // The frame's palette as its local colour table (the writer leaves it out when given metadata).
        IIOMetadataNode table = child(root, "LocalColorTable");
        table.setAttribute("sizeOfLocalColorTable", Integer.toString(palette.getMapSize()));
        table.setAttribute("sortFlag", "FALSE");
        for (int k = 0; k < palette.getMapSize(); k++) {
            IIOMetadataNode e = new IIOMetadataNode("ColorTableEntry");
            e.setAttribute("index", Integer.toString(k));
            e.setAttribute("red", Integer.toString(palette.getRed(k)));
            e.setAttribute("green", Integer.toString(palette.getGreen(k)));
            e.setAttribute("blue", Integer.toString(palette.getBlue(k)));
            table.appendChild(e);
        }
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(Math.max(1, delayMs / 10)));
        gce.setAttribute("transparentColorIndex", "0");
        if (first) { // NETSCAPE2.0 application extension: loop forever
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0});
            apps.appendChild(app);
        }
        meta.mergeTree(format, root); // merge: setFromTree would drop the frame's colour table
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) root.item(i);
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
