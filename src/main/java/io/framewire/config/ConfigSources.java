package io.framewire.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Merges raw settings from, lowest precedence first: a properties file ({@code --config FILE}),
 * environment variables ({@code FRAMEWIRE_BATCH_MAXWAITMS} for {@code batch.maxWaitMs}) and
 * command-line flags ({@code --batch.max 4} or {@code --batch.max=4}).
 */
public final class ConfigSources {

    private ConfigSources() {}

    /** The raw settings (name to text), each from the source of highest precedence that gives it. */
    public static Map<String, String> merge(String[] args, Map<String, String> env, Set<String> known) {
        return read(args, env, known).values();
    }

    /** Raw settings and, for each, where it came from: {@code file PATH}, {@code env NAME} or {@code flag}. */
    public record Sourced(Map<String, String> values, Map<String, String> origins) {}

    /** {@link #merge}, keeping where each value came from (for {@code --print-config}). */
    public static Sourced read(String[] args, Map<String, String> env, Set<String> known) {
        Map<String, String> flags = parseFlags(args, known);
        Map<String, String> merged = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        String file = flags.getOrDefault("config", env.get(envName("config")));
        if (file != null) {
            readFile(Path.of(file), known).forEach((k, v) -> {
                merged.put(k, v);
                origins.put(k, "file " + file);
            });
        }
        for (String key : known) {
            String value = env.get(envName(key));
            if (value != null) {
                merged.put(key, value);
                origins.put(key, "env " + envName(key));
            }
        }
        flags.forEach((k, v) -> {
            merged.put(k, v);
            origins.put(k, "flag --" + k);
        });
        merged.remove("config");
        origins.remove("config");
        return new Sourced(merged, origins);
    }

    /** FRAMEWIRE_ + the key upper-cased with dots and dashes as underscores. */
    public static String envName(String key) {
        return "FRAMEWIRE_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    static Map<String, String> parseFlags(String[] args, Set<String> known) {
        Map<String, String> flags = flags(args);
        flags.keySet().forEach(name -> checkKnown(name, known, "--" + name));
        return flags;
    }

    /** Tokenizes {@code --name value} and {@code --name=value}; a repeated name keeps its last value. */
    public static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "' (settings are --name value)");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("--" + name + " needs a value");
            }
            flags.put(name, value);
        }
        return flags;
    }

    private static Map<String, String> readFile(Path file, Set<String> known) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new ConfigException("--config: cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            checkKnown(name, known, name + " in " + file);
            values.put(name, props.getProperty(name).trim());
        }
        return values;
    }

    private static void checkKnown(String name, Set<String> known, String where) {
        if (!name.equals("config") && !known.contains(name)) {
            throw new ConfigException("unknown setting " + where + " (known: " + String.join(", ", known) + ")");
        }
    }
}
