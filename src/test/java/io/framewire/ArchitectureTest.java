package io.framewire;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map: every package of the server says in its {@code package-info.java} what it may
 * use ({@code May use: ...}), and this test holds the code to it. It also fails on any cycle
 * between packages, on a package without a package-info, on a package map (docs/architecture.md,
 * "Layout") that lists other packages than the code has, and on a library used outside the package that owns it.
 */
class ArchitectureTest {

    private static final String ROOT = "io.framewire";
    private static final Path SOURCES = Path.of("src/main/java/io/framewire");
    private static final Pattern MAY_USE = Pattern.compile("May use: ([^.]*)\\.");

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
        assertThat(classes).as("compiled main classes").hasSizeGreaterThan(50);
    }

    /** Sub-package name ("" for io.framewire itself) to what its package-info says it may use. */
    private static Map<String, Set<String>> declared() throws IOException {
        Map<String, Set<String>> map = new LinkedHashMap<>();
        for (String pkg : packages()) {
            Path info = (pkg.isEmpty() ? SOURCES : SOURCES.resolve(pkg)).resolve("package-info.java");
            assertThat(info).as("package-info.java of " + name(pkg)).exists();
            String text = Files.readString(info);
            assertThat(text).as(info + " names its package").contains("package " + name(pkg) + ";");
            Matcher m = MAY_USE.matcher(text);
            assertThat(m.find()).as(info + " says what it may use: 'May use: {@code a}, {@code b}.' or 'May use: nothing in framewire.'")
                    .isTrue();
            String list = m.group(1).trim();
            Set<String> allowed = list.equals("nothing in framewire") ? Set.of()
                    : Arrays.stream(list.split(",")).map(s -> s.replace("{@code", "").replace("}", "").trim())
                            .collect(Collectors.toCollection(TreeSet::new));
            map.put(pkg, allowed);
        }
        return map;
    }

    /** The server's packages as compiled: "" for the root, then each first-level sub-package. */
    private static Set<String> packages() {
        Set<String> names = new TreeSet<>();
        for (JavaClass c : classes) {
            names.add(sub(c.getPackageName()));
        }
        return names;
    }

    private static String sub(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1).split("\\.")[0];
    }

    private static String name(String sub) {
        return sub.isEmpty() ? ROOT : ROOT + "." + sub;
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void everyPackageUsesOnlyWhatItsPackageInfoAllows() throws IOException {
        Map<String, Set<String>> declared = declared();
        Set<String> all = packages();
        for (var e : declared.entrySet()) {
            String pkg = e.getKey();
            assertThat(e.getValue()).as(name(pkg) + " may use only packages that exist").isSubsetOf(all);
            String[] forbidden = all.stream()
                    .filter(other -> !other.equals(pkg) && !other.isEmpty() && !e.getValue().contains(other))
                    .map(other -> name(other) + "..").toArray(String[]::new);
            if (forbidden.length == 0) {
                continue;
            }
            var subject = pkg.isEmpty() ? noClasses().that().resideInAPackage(ROOT) : noClasses().that().resideInAPackage(name(pkg) + "..");
            subject.should().dependOnClassesThat().resideInAnyPackage(forbidden)
                    .because(name(pkg) + "'s package-info allows only " + e.getValue())
                    .check(classes);
        }
    }

    @Test
    void nothingDependsOnTheEntryPoint() {
        noClasses().that().resideOutsideOfPackage(ROOT).should().dependOnClassesThat().resideInAPackage(ROOT)
                .check(classes);
    }

    @Test
    void theAllowedDependenciesThemselvesFormNoCycle() throws IOException {
        // the declared map, not only today's code, must be a one-way graph: a later change that
        // stays within it can never close a cycle
        Map<String, Set<String>> declared = declared();
        for (String start : declared.keySet()) {
            assertThat(reaches(declared, start, start, new TreeSet<>())).as(name(start) + " reaches itself through its declared uses")
                    .isFalse();
        }
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String target, Set<String> seen) {
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (next.equals(target)) {
                return true;
            }
            if (seen.add(next) && reaches(graph, next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Each library behind one package (or a few), so that swapping it touches those alone. Not
     * Prometheus: {@code Metrics} hands out its client's counters and histograms, which every
     * layer increments directly (cheaper than a wrapper on the per-frame path).
     */
    @Test
    void librariesStayInTheirPackages() {
        Map<String, List<String>> owners = Map.of(
                "redis.clients..", List.of("state"),
                "com.nimbusds..", List.of("security"),
                "org.eclipse.paho..", List.of("events"),
                "org.bytedeco..", List.of("inference", "watchdog"), // watchdog: DetectorWatch passes a Mat through
                "org.eclipse.jetty..", List.of("server", "stream", "security", "watchdog")); // not protocol: a leaf
        for (var e : owners.entrySet()) {
            String[] owning = e.getValue().stream().map(p -> name(p) + "..").toArray(String[]::new);
            noClasses().that().resideOutsideOfPackages(owning)
                    .should().dependOnClassesThat().resideInAPackage(e.getKey())
                    .because(e.getKey() + " belongs to " + e.getValue())
                    .check(classes);
        }
    }

    /** The wire protocol is a leaf in libraries too: any layer (or a client) can speak it without Jetty. */
    @Test
    void theProtocolUsesNoLibraryButJacksonsWriter() {
        classes().that().resideInAPackage(name("protocol") + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", name("protocol") + "..", "com.fasterxml.jackson.core..")
                .check(classes);
    }

    @Test
    void theDocsLayoutTableMatchesThePackageInfos() throws IOException {
        List<String> doc = Files.readAllLines(Path.of("docs/architecture.md"));
        int start = doc.indexOf("| package | job | may use |");
        assertThat(start).as("docs/architecture.md's layout table").isNotNegative();
        Map<String, Set<String>> listed = new LinkedHashMap<>();
        for (int i = start + 2; i < doc.size() && doc.get(i).startsWith("|"); i++) {
            String[] cells = doc.get(i).split(" \\| ");
            Matcher m = Pattern.compile("^\\| `([a-z.]+)`$").matcher(cells[0]);
            assertThat(m.find()).as("layout row " + doc.get(i)).isTrue();
            String uses = cells[cells.length - 1].replaceAll(" \\|$", "").trim();
            Set<String> names = new TreeSet<>();
            Matcher code = Pattern.compile("`([a-z]+)`").matcher(uses);
            while (code.find()) {
                names.add(code.group(1));
            }
            assertThat(names.isEmpty()).as("may-use cell of " + m.group(1) + ": names in backticks or –")
                    .isEqualTo(uses.equals("–"));
            listed.put(m.group(1), names);
        }
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        declared().forEach((pkg, uses) -> expected.put(name(pkg), uses));
        assertThat(listed).as("docs/architecture.md's layout table vs the package-infos in src/main").isEqualTo(expected);
    }
}
