package dev.jshm.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * A grouped bar chart: one group of bars per category (an operation or a size), one bar per way
 * side by side, in a fixed color per way so the same way looks the same in every chart.
 */
final class BarChart {

    /** Distinct colors for the ways; a way measured on another JDK gets a lighter shade of its own. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf), new Color(0x393b79), new Color(0x637939),
        new Color(0x8c6d31), new Color(0x843c39), new Color(0x7b4173), new Color(0x3182bd),
        new Color(0xe6550d), new Color(0x31a354), new Color(0x756bb1), new Color(0x636363),
    };
    private static final Map<String, Color> COLORS = new LinkedHashMap<>();

    private final String title;
    private final String subtitle;
    private final String categoryLabel;
    private final String valueLabel;
    private final DefaultCategoryDataset data = new DefaultCategoryDataset();
    private double min = Double.MAX_VALUE;
    private double max = 0;

    BarChart(String title, String subtitle, String categoryLabel, String valueLabel) {
        this.title = title;
        this.subtitle = subtitle;
        this.categoryLabel = categoryLabel;
        this.valueLabel = valueLabel;
    }

    /**
     * Fixes the order of the bars (ways) and of the groups (categories) before any value is
     * added; a way without a value in a category leaves a gap.
     */
    void order(java.util.List<String> ways, java.util.List<String> categories) {
        for (String way : ways) {
            for (String category : categories) {
                data.addValue(null, way, category);
            }
        }
    }

    void add(String category, String way, double value) {
        data.addValue(value, way, category);
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    boolean isEmpty() {
        return data.getRowCount() == 0;
    }

    /** Writes the PNG; the value axis is logarithmic when the values span more than 20x. */
    boolean write(Path png) throws IOException {
        boolean log = max / min > 20;
        ValueAxis axis;
        if (log) {
            LogAxis logAxis = new LogAxis(valueLabel + " (log scale)");
            logAxis.setBase(10);
            logAxis.setSmallestValue(min / 2);
            logAxis.setLowerBound(min / 2);
            logAxis.setUpperBound(max * 2);
            logAxis.setMinorTickMarksVisible(true);
            // One tick per decade, written as plain numbers (1,000 rather than 10^3.0).
            logAxis.setTickUnit(new NumberTickUnit(1.0));
            logAxis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
            axis = logAxis;
        } else {
            NumberAxis numberAxis = new NumberAxis(valueLabel);
            numberAxis.setUpperMargin(0.1);
            axis = numberAxis;
        }
        CategoryAxis categories = new CategoryAxis(categoryLabel);
        categories.setCategoryMargin(0.15);
        if (data.getColumnCount() > 6) {
            categories.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.03);
        renderer.setDrawBarOutline(false);
        renderer.setDefaultToolTipGenerator(new StandardCategoryToolTipGenerator());
        for (int row = 0; row < data.getRowCount(); row++) {
            String way = (String) data.getRowKey(row);
            renderer.setSeriesPaint(row, colorOf(way));
        }
        CategoryPlot plot = new CategoryPlot(data, categories, axis, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xcccccc));
        plot.setRangeGridlineStroke(new BasicStroke(0.8f));
        JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 18), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle, new Font("SansSerif", Font.PLAIN, 12)));
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 620);
        return log;
    }

    private static synchronized Color colorOf(String way) {
        Color known = COLORS.get(way);
        if (known != null) {
            return known;
        }
        int jdk = way.indexOf(" (JDK ");
        Color color;
        if (jdk > 0 && !way.startsWith("ffm")) {
            color = lighter(colorOf(way.substring(0, jdk)));
        } else {
            long own = COLORS.keySet().stream().filter(w -> !w.contains(" (JDK ") || w.startsWith("ffm")).count();
            color = PALETTE[(int) (own % PALETTE.length)];
        }
        COLORS.put(way, color);
        return color;
    }

    private static Color lighter(Color c) {
        return new Color((c.getRed() + 2 * 255) / 3, (c.getGreen() + 2 * 255) / 3, (c.getBlue() + 2 * 255) / 3);
    }
}
