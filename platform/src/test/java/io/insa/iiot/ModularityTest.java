package io.insa.iiot;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.boundarycheck.BoundaryCheckApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.Violations;
import org.springframework.modulith.docs.Documenter;

/**
 * Features talk through their public types only, never in a cycle, and each uses only the modules its
 * {@code package-info} allows (the directions docs/architecture.md draws).
 */
class ModularityTest {

    private static final ApplicationModules MODULES = ApplicationModules.of(IiotApplication.class);

    @Test
    void moduleBoundariesHold() {
        MODULES.verify();
    }

    @Test
    void everyModuleButTheSharedOneDeclaresWhatItMayUse() throws ClassNotFoundException {
        for (var module : MODULES) {
            ApplicationModule declared = Class.forName(module.getBasePackage().getName() + ".package-info")
                    .getAnnotation(ApplicationModule.class);
            assertThat(declared)
                    .as(module.getIdentifier() + " has @ApplicationModule")
                    .isNotNull();
            if (declared.type() != ApplicationModule.Type.OPEN) {
                assertThat(declared.allowedDependencies())
                        .as(module.getIdentifier() + " declares its allowed dependencies")
                        .isNotEmpty();
            }
        }
    }

    @Test
    void aDependencyThatNoPackageInfoAllowsFailsEvenWithoutACycle() {
        // the fixture lives among the test classes, which the platform's own check leaves out
        Violations violations = ApplicationModules.of(BoundaryCheckApplication.class, location -> true)
                .detectViolations();
        assertThat(violations.getMessages()).singleElement().asString().contains("report", "sensor");
    }

    /**
     * docs/architecture.md's module diagram and docs/modules.puml (Spring Modulith's {@link Documenter})
     * are drawn from the code; run with {@code -Dinsa.docs.update=true} to draw them again.
     */
    @Test
    void theModuleDiagramsInTheDocsAreTheOnesTheCodeDraws() throws IOException {
        Path docs = Path.of("..", "docs");
        Path architecture = docs.resolve("architecture.md");
        String text = Files.readString(architecture);
        int begin = text.indexOf(DIAGRAM_BEGIN);
        int end = text.indexOf(DIAGRAM_END, begin);
        assertThat(begin).as("the module diagram's markers in " + architecture).isNotNegative();
        assertThat(end).as("the module diagram's end marker in " + architecture).isPositive();
        String drawn = mermaid();

        Path target = Path.of("target", "spring-modulith-docs");
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(target.toString()))
                .writeModulesAsPlantUml(
                        Documenter.DiagramOptions.defaults().withStyle(Documenter.DiagramOptions.DiagramStyle.UML));
        String plantUml = Files.readString(target.resolve("components.puml"));

        if (Boolean.getBoolean("insa.docs.update")) {
            Files.writeString(
                    architecture, text.substring(0, begin + DIAGRAM_BEGIN.length()) + drawn + text.substring(end));
            Files.writeString(docs.resolve("modules.puml"), plantUml);
            return;
        }
        String redraw = " (redraw with ./mvnw -pl platform test -Dtest=ModularityTest -Dinsa.docs.update=true)";
        assertThat(text.substring(begin + DIAGRAM_BEGIN.length(), end))
                .as("the module diagram of " + architecture + redraw)
                .isEqualTo(drawn);
        // Documenter writes the relationships in no fixed order: the same lines, in any order, are the same drawing
        assertThat(Files.readString(docs.resolve("modules.puml")).lines().sorted())
                .as("docs/modules.puml" + redraw)
                .containsExactlyElementsOf(plantUml.lines().sorted().toList());
    }

    private static final String DIAGRAM_BEGIN =
            "<!-- module diagram: drawn by ModularityTest from the code -->\n```mermaid\n";
    private static final String DIAGRAM_END = "```\n<!-- end of the module diagram -->";

    /** Each module's direct uses of the others, in Mermaid; {@code shared}, which every module uses, left out. */
    private static String mermaid() {
        StringBuilder graph = new StringBuilder("flowchart BT\n");
        MODULES.stream()
                .sorted(Comparator.comparing(m -> m.getIdentifier().toString()))
                .forEach(module -> module.getDirectDependencies(MODULES)
                        .uniqueModules()
                        .map(used -> used.getIdentifier().toString())
                        .filter(used -> !used.equals("shared"))
                        .sorted()
                        .forEach(used -> graph.append("  ")
                                .append(module.getIdentifier())
                                .append(" --> ")
                                .append(used)
                                .append('\n')));
        return graph.toString();
    }
}
