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

    /** Writes {@code frames} looping forever, {@code delayMs} per frame (GIF resolution is 10 ms). */
    public static void write(Path file, List<BufferedImage> frames, int delayMs) throws IOException {
        if (frames.isEmpty()) throw new IllegalArgumentException("a GIF needs at least one frame");
        AtomicFiles.write(file, out -> {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.prepareWriteSequence(null);
                for (int i = 0; i < frames.size(); i++) {
                    BufferedImage f = indexed(frames.get(i));
                    IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(f), null);
                    configure(meta, delayMs, i == 0, (java.awt.image.IndexColorModel) f.getColorModel());
                    writer.writeToSequence(new IIOImage(f, null, meta), null);
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
        });
    }

    /**
     * The frame as a palette image, so the writer only has to compress it (its own colour
     * reduction of RGB frames takes seconds per hundred frames). Frames with at most 256 colours
     * keep them exactly; others are mapped to the 6x6x6 colour cube.
     */
    static BufferedImage indexed(BufferedImage rgbImage) {
        if (rgbImage.getType() == BufferedImage.TYPE_BYTE_INDEXED) return rgbImage;
        int w = rgbImage.getWidth(), h = rgbImage.getHeight();
        int[] px = rgbImage.getRGB(0, 0, w, h, null, 0, w);
        byte[] idx = new byte[px.length];
        java.util.Map<Integer, Integer> palette = new java.util.HashMap<>();
        int lastColor = 0, lastIndex = -1;
        boolean exact = true;
        for (int i = 0; i < px.length && exact; i++) {
            int c = px[i] & 0xFFFFFF;
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
            idx[i] = (byte) lastIndex;
        }
        int[] colors = new int[256];
        if (exact) {
            palette.forEach((c, k) -> colors[k] = c);
        } else {
            for (int k = 0; k < 216; k++) colors[k] = (k / 36 * 51) << 16 | (k / 6 % 6 * 51) << 8 | (k % 6 * 51);
            for (int i = 0; i < px.length; i++) {
                int c = px[i];
                idx[i] = (byte) (((c >> 16 & 255) + 25) / 51 * 36 + ((c >> 8 & 255) + 25) / 51 * 6 + ((c & 255) + 25) / 51);
            }
        }
        java.awt.image.IndexColorModel cm = new java.awt.image.IndexColorModel(8, 256, colors, 0, false, -1, java.awt.image.DataBuffer.TYPE_BYTE);
        java.awt.image.WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        raster.setDataElements(0, 0, w, h, idx);
        return new BufferedImage(cm, raster, false, null);
    }

    private static void configure(IIOMetadata meta, int delayMs, boolean first, java.awt.image.IndexColorModel palette) throws IOException {
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
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
