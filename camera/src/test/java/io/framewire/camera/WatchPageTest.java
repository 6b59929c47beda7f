package io.framewire.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.server.FramewireServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The browser's watch page shows a bridged camera: Megamind.avi through the bridge into a YuNet
 * server, {@code /watch/lobby} in Debian's headless Chromium lists the face and counts results.
 * Skipped, with a message, where Chromium is not installed (.ci/run installs it).
 */
class WatchPageTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void theWatchPageShowsABridgedCamera() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "no " + CHROMIUM + " or " + DRIVER + " (Debian: chromium chromium-driver)");
        FramewireServer server = servers.start("detector", "yunet", "model", Servers.yunet().toString(), "workers", "1");
        servers.bridge(server, """
                [[camera]]
                id = "lobby"
                source = "%s"
                fps = 5
                width = 320
                """.formatted(Servers.megamind()));
        Path profile = Files.createTempDirectory("framewire-camera-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1200,800", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build(), options);
        try {
            browser.get("http://127.0.0.1:" + server.port() + "/watch/lobby");
            await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> labels(browser).contains("face")); // the list re-renders: stale elements
            await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> results(browser) >= 5);
            Path shot = Files.createDirectories(Path.of("target", "browser")).resolve("watch-bridged-camera.png");
            Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }

    private static List<String> labels(ChromeDriver browser) {
        return browser.findElements(By.cssSelector("#detections li.detection .label")).stream().map(WebElement::getText).toList();
    }

    private static double results(ChromeDriver browser) {
        try {
            return Double.parseDouble(browser.findElement(By.cssSelector("#status [data-k=results]")).getText());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
