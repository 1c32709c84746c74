package org.dqnscratch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import org.dqnscratch.env.CartPole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GifTest {
    /** Decodes the GIF and paints each stored rectangle over the previous picture, as a viewer does. */
    static List<BufferedImage> composite(Path file) throws Exception {
        ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
        List<BufferedImage> out = new ArrayList<>();
        try (var in = ImageIO.createImageInputStream(file.toFile())) {
            r.setInput(in);
            BufferedImage canvas = null;
            for (int i = 0; i < r.getNumImages(true); i++) {
                BufferedImage part = r.read(i);
                var root = (IIOMetadataNode) r.getImageMetadata(i).getAsTree("javax_imageio_gif_image_1.0");
                var d = (IIOMetadataNode) root.getElementsByTagName("ImageDescriptor").item(0);
                int x = Integer.parseInt(d.getAttribute("imageLeftPosition")), y = Integer.parseInt(d.getAttribute("imageTopPosition"));
                if (canvas == null) canvas = new BufferedImage(part.getWidth(), part.getHeight(), BufferedImage.TYPE_INT_RGB);
                canvas.getGraphics().drawImage(part, x, y, null);
                BufferedImage copy = new BufferedImage(canvas.getWidth(), canvas.getHeight(), BufferedImage.TYPE_INT_RGB);
                copy.getGraphics().drawImage(canvas, 0, 0, null);
                out.add(copy);
            }
        } finally {
            r.dispose();
        }
        return out;
    }

    @Test
    void framesComeBackPixelExact(@TempDir Path dir) throws Exception {
        CartPole env = CartPole.v1();
        env.reset(1);
        List<BufferedImage> frames = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            env.setState(0.3 * Math.sin(i), 0, 0.1 * Math.cos(i), 0);
            frames.add(env.render());
        }
        frames.add(env.render()); // an unchanged frame
        Path gif = dir.resolve("a.gif");
        Gif.write(gif, frames, 20);
        List<BufferedImage> back = composite(gif);
        assertEquals(frames.size(), back.size());
        for (int i = 0; i < frames.size(); i++) {
            BufferedImage a = frames.get(i), b = back.get(i);
            for (int y = 0; y < a.getHeight(); y++) {
                for (int x = 0; x < a.getWidth(); x++) {
                    if ((a.getRGB(x, y) & 0xFFFFFF) != (b.getRGB(x, y) & 0xFFFFFF)) {
                        throw new AssertionError("frame " + i + " differs at " + x + "," + y);
                    }
                }
            }
        }
    }

    /**
     * Frames read from their own pixel arrays (INT_RGB, INT_ARGB) and through getRGB (a sub-image, whose
     * array is its parent's; a 3-byte BGR image), in one GIF, and the same image twice: all come back exact (reading a sub-image from its
     * parent's array was seen to fail here).
     */
    @Test
    void everyKindOfImageComesBackExact(@TempDir Path dir) throws Exception {
        BufferedImage parent = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 30; x++) parent.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 40);
        List<BufferedImage> frames = new ArrayList<>();
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_3BYTE_BGR};
        for (int f = 0; f < 6; f++) {
            BufferedImage img = new BufferedImage(20, 10, types[f % 3]);
            for (int y = 0; y < 10; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, 0xFF000000 | ((x + f) % 5) * 0x203040 + y);
            frames.add(img);
            if (f == 2) frames.add(img); // the same image again
            if (f == 4) frames.add(parent.getSubimage(5, 7, 20, 10));
        }
        Path gif = dir.resolve("kinds.gif");
        Gif.write(gif, frames, 20);
        List<BufferedImage> back = composite(gif);
        assertEquals(frames.size(), back.size());
        for (int f = 0; f < frames.size(); f++) {
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 20; x++) {
                    assertEquals(frames.get(f).getRGB(x, y) & 0xFFFFFF, back.get(f).getRGB(x, y) & 0xFFFFFF, "frame " + f + " at " + x + "," + y);
                }
            }
        }
    }

    /** Frames of 1 to 40 colours (palettes of 2, 4, 16 and 256 entries: the sizes a GIF's packed image takes) come back exact. */
    @Test
    void everyPaletteSizeComesBackExact(@TempDir Path dir) throws Exception {
        for (int colours : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 40}) {
            List<BufferedImage> frames = new ArrayList<>();
            for (int f = 0; f < 2; f++) {
                BufferedImage img = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 10; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, ((x + y + f) % colours) * 0x050B11);
                frames.add(img);
            }
            Path gif = dir.resolve("c" + colours + ".gif");
            Gif.write(gif, frames, 20);
            List<BufferedImage> back = composite(gif);
            for (int f = 0; f < frames.size(); f++) {
                for (int y = 0; y < 10; y++) {
                    for (int x = 0; x < 20; x++) {
                        assertEquals(frames.get(f).getRGB(x, y) & 0xFFFFFF, back.get(f).getRGB(x, y) & 0xFFFFFF, colours + " colours, frame " + f);
                    }
                }
            }
        }
    }

    @Test
    void manyColoursFallBackToTheColourCube(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, (x * 6) << 16 | (y * 6) << 8 | 128);
        Path gif = dir.resolve("b.gif");
        Gif.write(gif, List.of(img), 100);
        BufferedImage back = composite(gif).get(0);
        int c = back.getRGB(39, 39), want = img.getRGB(39, 39);
        for (int shift : new int[] {0, 8, 16}) assertEquals(want >> shift & 255, c >> shift & 255, 26.0, "within half a cube step");
    }
}
