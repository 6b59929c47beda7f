package io.framewire.bench.loadgen;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The load generator is a client of the wire protocol only: no server class, not even its config parser. */
class LoadGenIndependenceTest {

    @Test
    void usesNoServerClass() throws Exception {
        // the compiled package itself (scanning the class path for it would read the server's 60 MB jar)
        Path classes = Path.of(LoadGen.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        JavaClasses loadgen = new ClassFileImporter().importPath(classes.resolve("io/framewire/bench/loadgen"));
        assertThat(loadgen.contain(LoadRun.class)).isTrue();
        DescribedPredicate<JavaClass> server = resideInAPackage("io.framewire..")
                .and(not(resideInAPackage("io.framewire.bench..")));
        noClasses().should().dependOnClassesThat(server.as("framewire's server classes")).check(loadgen);
    }
}
