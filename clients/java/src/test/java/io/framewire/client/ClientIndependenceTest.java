package io.framewire.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The library ships without the server: its classes use the JDK, Jackson and each other, nothing else. */
class ClientIndependenceTest {

    @Test
    void usesOnlyTheJdkAndJackson() {
        JavaClasses library = new ClassFileImporter().importPath(Path.of("target/classes"));
        assertThat(library.contain(FramewireClient.class)).isTrue();
        noClasses().should().dependOnClassesThat()
                .resideOutsideOfPackages("io.framewire.client..", "java..", "javax..", "com.fasterxml.jackson..")
                .as("framewire-client uses only the JDK and Jackson")
                .check(library);
    }
}
