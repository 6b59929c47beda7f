package io.framewire.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One setting, declared once: its name, type, default, accepted values and doc. {@link Catalog}
 * holds them all; {@link Settings} reads them, {@link Catalog#usage()} prints them and the settings
 * table in docs/configuration.md is generated from them ({@link Catalog#markdownTable()}, checked by SettingsTest).
 *
 * @param <T> the parsed type; the value is null when the setting is unset and has no default
 */
public final class Setting<T> {

    private final String name;
    private final T defaultValue;
    private final String defaultText;
    private final String values;
    private final String doc;
    private final Function<String, T> parse;

    private Setting(String name, T defaultValue, String defaultText, String values, String doc, Function<String, T> parse) {
        this.name = Objects.requireNonNull(name);
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.values = values;
        this.doc = doc;
        this.parse = parse;
    }

    /** An integer in {@code min..max}. */
    public static Setting<Integer> integer(String name, Integer def, int min, int max, String doc) {
        return new Setting<>(name, def, code(def), min + ".." + max, doc, v -> {
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted range
            }
            throw invalid(name, v, "an integer in " + min + ".." + max);
        });
    }

    /** A decimal number in {@code min..max}. */
    public static Setting<Double> decimal(String name, Double def, double min, double max, String doc) {
        String range = plain(min) + ".." + plain(max);
        return new Setting<>(name, def, def == null ? "–" : code(plain(def)), range, doc, v -> {
            try {
                double d = Double.parseDouble(v);
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted range
            }
            throw invalid(name, v, "a number in " + range);
        });
    }

    /** {@code true}/{@code false} (also 1/0, yes/no, on/off). */
    public static Setting<Boolean> flag(String name, Boolean def, String doc) {
        return new Setting<>(name, def, code(def), "`true`, `false`", doc, v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw invalid(name, v, "true or false");
        });
    }

    /** One of {@code choices}, written as {@code label} gives them. */
    public static <E> Setting<E> choice(String name, E def, List<E> choices, Function<E, String> label, String doc) {
        List<String> labels = choices.stream().map(label).toList();
        List<String> sorted = new ArrayList<>(labels);
        sorted.sort(null);
        return new Setting<>(name, def, def == null ? "–" : code(label.apply(def)),
                String.join(", ", labels.stream().map(Setting::code).toList()), doc, v -> {
                    int i = labels.indexOf(v);
                    if (i < 0) {
                        throw invalid(name, v, "one of " + String.join(", ", sorted));
                    }
                    return choices.get(i);
                });
    }

    /** Free text; {@code pattern} (may be null) must match the whole value. */
    public static Setting<String> text(String name, String def, String values, Pattern pattern, String expected, String doc) {
        return new Setting<>(name, def, code(def), values, doc, v -> {
            if (pattern != null && !pattern.matcher(v).matches()) {
                throw invalid(name, v, expected);
            }
            return v;
        });
    }

    /** A file path; never checked here (the part that opens it names the setting when it cannot). */
    public static Setting<Path> path(String name, String doc) {
        return new Setting<>(name, null, "–", "file", doc, Path::of);
    }

    /** The same setting with {@code text} in the doc's default column (a derived or explained default). */
    public Setting<T> defaultShown(String text) {
        return new Setting<>(name, defaultValue, text, values, doc, parse);
    }

    /** The same setting with {@code text} in the doc's values column. */
    public Setting<T> valuesShown(String text) {
        return new Setting<>(name, defaultValue, defaultText, text, doc, parse);
    }

    public String name() {
        return name;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** Markdown, as the settings table's default column shows it. */
    public String defaultText() {
        return defaultText;
    }

    /** Markdown, as the settings table's values column shows it. */
    public String values() {
        return values;
    }

    /** Markdown, as the settings table's meaning column shows it. */
    public String doc() {
        return doc;
    }

    /** Whether {@code raw} sets it (a blank value counts as unset). */
    public boolean isSet(Map<String, String> raw) {
        String v = raw.get(name);
        return v != null && !v.isBlank();
    }

    /** The value in {@code raw}, else the default. */
    public T read(Map<String, String> raw) {
        return read(raw, defaultValue);
    }

    /** The value in {@code raw}, else {@code fallback} (for a default that depends on other settings). */
    public T read(Map<String, String> raw, T fallback) {
        return isSet(raw) ? parse.apply(raw.get(name).trim()) : fallback;
    }

    @Override
    public String toString() {
        return name;
    }

    private static ConfigException invalid(String name, String value, String expected) {
        return new ConfigException("invalid --" + name + " '" + value + "' (expected " + expected + ")");
    }

    private static String code(Object v) {
        return v == null ? "–" : "`" + v + "`";
    }

    /** 5.0 as 5, 0.45 as 0.45. */
    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
