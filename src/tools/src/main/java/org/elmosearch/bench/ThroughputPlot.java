package org.elmosearch.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A PNG line chart of tokens/s against batch size, one line per thread count. */
final class ThroughputPlot {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 150;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    private ThroughputPlot() {
    }

    /** {@code series}: threads → tokens/s at each of {@code batches}. */
    static void write(Path file, String title, List<Integer> batches, Map<Integer, double[]> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double max = series.values().stream().flatMapToDouble(java.util.Arrays::stream).max().orElse(1) * 1.1;
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(LEFT, TOP, plotWidth, plotHeight);
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotHeight - i * plotHeight / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT + 1, y, LEFT + plotWidth - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%,.0f", max * i / 5), 8, y + 4);
        }
        for (int i = 0; i < batches.size(); i++) {
            g.drawString(String.valueOf(batches.get(i)), x(i, batches.size(), plotWidth) - 6, TOP + plotHeight + 20);
        }
        g.drawString("batch size (sentences per run)", LEFT + plotWidth / 2 - 90, HEIGHT - 15);
        g.drawString("tokens/s", 8, TOP - 10);
        int legend = 0;
        for (Map.Entry<Integer, double[]> line : series.entrySet()) {
            Color color = COLORS[legend % COLORS.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2.5f));
            double[] values = line.getValue();
            for (int i = 0; i < values.length; i++) {
                int x = x(i, values.length, plotWidth);
                int y = TOP + plotHeight - (int) (values[i] / max * plotHeight);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (i > 0) {
                    g.drawLine(x(i - 1, values.length, plotWidth), TOP + plotHeight - (int) (values[i - 1] / max * plotHeight), x, y);
                }
            }
            g.drawString(line.getKey() + (line.getKey() == 1 ? " thread" : " threads"), WIDTH - RIGHT + 20, TOP + 20 + 20 * legend);
            legend++;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static int x(int i, int count, int plotWidth) {
        return LEFT + (count == 1 ? plotWidth / 2 : 20 + i * (plotWidth - 40) / (count - 1));
    }
}
