package io.framewire.state;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A results entry id as Redis Streams write them, {@code <millis>-<seq>}; ordered. */
record EntryId(long millis, long seq) implements Comparable<EntryId> {

    static final EntryId ZERO = new EntryId(0, 0);
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,19})(?:-(\\d{1,19}))?");

    /** Null unless {@code <millis>} or {@code <millis>-<seq>}. */
    static EntryId parse(String s) {
        Matcher m = s == null ? null : FORMAT.matcher(s);
        if (m == null || !m.matches()) {
            return null;
        }
        try {
            return new EntryId(Long.parseLong(m.group(1)), m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
        } catch (NumberFormatException tooBig) {
            return null;
        }
    }

    @Override
    public int compareTo(EntryId o) {
        int c = Long.compare(millis, o.millis);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    @Override
    public String toString() {
        return millis + "-" + seq;
    }
}
