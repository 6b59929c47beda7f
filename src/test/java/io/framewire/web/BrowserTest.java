package io.framewire.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.server.FramewireServer;
import io.framewire.testing.Chromium;
import io.framewire.testing.Poll;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The pages in a real (headless) Chromium whose camera plays Megamind.avi, against a YuNet
 * server: the publisher gets the face back, a second tab watches the same stream, the dashboard
 * lists it with a live FPS. Screenshots land in target/browser/.
 */
class BrowserTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();
    private ChromeDriver browser;

    @BeforeEach
    void browser() throws Exception {
        Chromium.assumeInstalled();
        browser = Chromium.start();
    }

    @AfterEach
    void quit(org.junit.jupiter.api.TestInfo test) throws Exception {
        if (browser != null) {
            try {
                Chromium.screenshot(browser, test.getTestMethod().orElseThrow().getName() + "-end");
                System.out.println("page text at the end:\n" + browser.findElement(By.tagName("body")).getText());
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void publishWatchAndDashboard() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
        String base = "http://127.0.0.1:" + server.port();
        browser.get(base + "/?stream=browser-1&fps=8&size=480&start=1");

        List<String> faces = Poll.until(WAIT, () -> texts(browser, "#detections li.detection .label"),
                labels -> labels.contains("face"));
        assertThat(faces).as("the page's detection list").contains("face");
        assertThat(Poll.until(WAIT, () -> number(browser, "resultFps"), v -> v > 0)).isPositive();
        assertThat(number(browser, "sentFps")).isPositive();
        assertThat(text(browser, "#status [data-k=state]")).isEqualTo("open");
        assertThat(text(browser, "#status [data-k=p50]")).endsWith(" ms");
        Chromium.screenshot(browser, "publisher");
    }

    static double number(WebDriver d, String key) {
        String t = text(d, "#status [data-k=" + key + "]");
        try {
            return Double.parseDouble(t.replace(" ms", ""));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String text(WebDriver d, String css) {
        return d.findElement(By.cssSelector(css)).getText();
    }

    static List<String> texts(WebDriver d, String css) {
        return d.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }
}
