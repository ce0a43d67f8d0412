package org.apache.pulsar.io.dynamodb.e2e;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A plain line chart drawn with Java2D and written as a PNG: the benchmark's only charting, no dependency. */
final class BenchChart {

    /** One line: its name and its points (x, y). */
    record Series(String name, double[] x, double[] y) {
    }

    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private double fixedMaxY;

    BenchChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    BenchChart add(Series line) {
        if (line.x().length > 0) {
            series.add(line);
        }
        return this;
    }

    /** A fixed top of the y axis (100 for percentages) instead of one fitted to the data. */
    BenchChart yMax(double max) {
        this.fixedMaxY = max;
        return this;
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    void write(Path file) throws IOException {
        int width = 1000;
        int height = 560;
        int left = 90;
        int right = 30;
        int top = 50;
        int bottom = 70;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        double maxX = 0;
        double maxY = 0;
        for (Series s : series) {
            for (double v : s.x()) {
                maxX = Math.max(maxX, v);
            }
            for (double v : s.y()) {
                maxY = Math.max(maxY, v);
            }
        }
        maxX = niceCeiling(maxX);
        maxY = fixedMaxY > 0 ? fixedMaxY : niceCeiling(maxY * 1.05);
        int plotW = width - left - right;
        int plotH = height - top - bottom;

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.setColor(Color.BLACK);
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();

        // grid and ticks
        for (int i = 0; i <= 10; i++) {
            int px = left + plotW * i / 10;
            int py = top + plotH - plotH * i / 10;
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(px, top, px, top + plotH);
            g.drawLine(left, py, left + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String xt = label(maxX * i / 10);
            g.drawString(xt, px - fm.stringWidth(xt) / 2, top + plotH + 18);
            String yt = label(maxY * i / 10);
            g.drawString(yt, left - 8 - fm.stringWidth(yt), py + 5);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, plotW, plotH);
        g.drawString(xLabel, left + plotW / 2 - fm.stringWidth(xLabel) / 2, height - 25);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + plotH / 2 + fm.stringWidth(yLabel) / 2), 20);
        rotated.dispose();

        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            Color color = COLORS[k % COLORS.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < s.x().length; i++) {
                int px = left + (int) Math.round(plotW * s.x()[i] / maxX);
                int py = top + plotH - (int) Math.round(plotH * s.y()[i] / maxY);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px, py);
                }
                prevX = px;
                prevY = py;
            }
            // legend
            int ly = top + 20 + 20 * k;
            g.fillRect(left + plotW - 330, ly - 10, 24, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), left + plotW - 300, ly - 3);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double value) {
        if (value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,d", (long) value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
