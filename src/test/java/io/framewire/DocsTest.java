package io.framewire;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ hold together: every relative link reaches a file that exists and, with a
 * {@code #fragment}, a heading that file has (GitHub's anchors); the error-code table in
 * docs/protocol.md lists exactly the codes of {@link ErrorCode}. (The settings table and the package
 * map have their own checks: SettingsTest, ArchitectureTest.)
 */
class DocsTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(Path.of("README.md"));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        assertThat(docs).as("README.md and docs/*.md").hasSizeGreaterThan(6);
        return docs;
    }

    /** The lines of a Markdown file outside fenced code blocks (a "# comment" in a shell block is no heading). */
    private static List<String> prose(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                out.add(line);
            }
        }
        return out;
    }

    /** GitHub's anchors of a file's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(file)) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String a = h.group(1).trim().toLowerCase().replaceAll("(?U)[^\\w\\- ]", "").replace(' ', '-');
                int n = seen.merge(a, 1, Integer::sum);
                anchors.add(n == 1 ? a : a + "-" + (n - 1));
            }
        }
        return anchors;
    }

    @Test
    void relativeLinksReachAFileAndAHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            for (String line : prose(doc)) {
                Matcher m = LINK.matcher(line);
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-z]+:.*")) {
                        continue; // https:, mailto:
                    }
                    checked++;
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    Path resolved = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
                    if (!Files.exists(resolved)) {
                        broken.add(doc + ": " + target + " (no such file)");
                    } else if (hash >= 0 && resolved.toString().endsWith(".md")
                            && !anchors(resolved).contains(target.substring(hash + 1))) {
                        broken.add(doc + ": " + target + " (no such heading)");
                    }
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(30);
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theErrorCodeTableListsEveryErrorCode() throws IOException {
        List<String> doc = Files.readAllLines(Path.of("docs/protocol.md"));
        int start = doc.indexOf("| code | when |");
        assertThat(start).as("docs/protocol.md's error-code table").isNotNegative();
        List<String> listed = new ArrayList<>();
        for (int i = start + 2; i < doc.size() && doc.get(i).startsWith("|"); i++) {
            Matcher m = Pattern.compile("^\\| `([a-z_]+)` \\|").matcher(doc.get(i));
            assertThat(m.find()).as("error-code row " + doc.get(i)).isTrue();
            listed.add(m.group(1));
        }
        assertThat(listed).as("docs/protocol.md's error codes vs ErrorCode")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).toList());
    }

    @Test
    void theReadmeIsAFrontDoor() throws IOException {
        // the detail lives in docs/; the README says what it is, shows it and links there
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        assertThat(readme.size()).as("README.md lines").isLessThanOrEqualTo(200);
        Set<String> linked = readme.stream().flatMap(l -> LINK.matcher(l).results().map(r -> r.group(1)))
                .collect(Collectors.toSet());
        for (Path doc : documents().subList(1, documents().size())) {
            assertThat(linked).as("README links " + doc).contains("docs/" + doc.getFileName());
        }
    }
}
