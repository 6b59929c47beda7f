package io.framewire.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of Prometheus' text exposition format. */
public final class MetricsText {

    private MetricsText() {}

    /** The value of one sample line, e.g. {@code name{label="v"} 3.0}; fails the test when it is not there. */
    public static double value(String exposition, String sample) {
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        if (!m.find()) {
            throw new AssertionError("sample " + sample + " not in /metrics:" + System.lineSeparator() + exposition);
        }
        return Double.parseDouble(m.group(1));
    }
}
