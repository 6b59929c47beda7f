package io.framewire.testing;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2YUV_I420;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium driven by Selenium, headless, with a fake camera that plays a Y4M file made
 * from {@code Megamind.avi}. Tests call {@link #assumeInstalled()} first: without Chromium they
 * are skipped with a message, not failed.
 */
public final class Chromium {

    public static final Path BINARY = Path.of(System.getProperty("framewire.chromium", "/usr/bin/chromium"));
    public static final Path DRIVER = Path.of(System.getProperty("framewire.chromedriver", "/usr/bin/chromedriver"));
    /** Screenshots, kept as test artifacts. */
    public static final Path ARTIFACTS = Path.of("target", "browser");

    private static Path camera;
    private static final Map<WebDriver, Path> profiles = new ConcurrentHashMap<>();

    private Chromium() {}

    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
                "browser tests skipped: no " + BINARY + " or " + DRIVER
                        + " (Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
    }

    /** A headless Chromium whose camera plays the test video; quit it when done. */
    public static ChromeDriver start() throws IOException {
        Path profile = Files.createTempDirectory("framewire-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--use-file-for-fake-video-capture=" + fakeCamera().toAbsolutePath(),
                // nothing outside the machine is reachable: don't let Chromium try
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--disable-default-apps", "--no-default-browser-check",
                "--autoplay-policy=no-user-gesture-required",
                "--window-size=1400,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile()) // a given driver: no Selenium Manager download
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        profiles.put(driver, profile);
        return driver;
    }

    /** Quits the browser and deletes its fresh profile. */
    public static void quit(WebDriver driver) throws IOException {
        try {
            driver.quit();
        } finally {
            Path profile = profiles.remove(driver);
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    public static Path screenshot(WebDriver driver, String name) throws IOException {
        Files.createDirectories(ARTIFACTS);
        Path file = ARTIFACTS.resolve(name + ".png");
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    private static Path video;

    /** A few seconds of Megamind.avi as WebM (VP8), a file a browser plays: the publisher's "video file" source. */
    public static synchronized Path videoFile() throws IOException {
        if (video != null) {
            return video;
        }
        Files.createDirectories(ARTIFACTS);
        Path out = ARTIFACTS.resolve("megamind.webm");
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(TestData.media("Megamind.avi").toFile())) {
            grabber.start();
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(out.toFile(), 480, 352, 0)) {
                recorder.setFormat("webm");
                recorder.setVideoCodec(avcodec.AV_CODEC_ID_VP8);
                recorder.setFrameRate(10);
                recorder.setVideoBitrate(1_000_000);
                recorder.start();
                int index = 0;
                Frame f;
                while (index < 120 && (f = grabber.grabImage()) != null) {
                    if (index++ >= 40 && index % 2 == 1) {
                        recorder.record(f); // the recorder scales to its size
                    }
                }
                recorder.stop();
            }
            grabber.stop();
        } catch (org.bytedeco.javacv.FrameGrabber.Exception | org.bytedeco.javacv.FrameRecorder.Exception e) {
            throw new IOException(e);
        }
        video = out;
        return out;
    }

    /**
     * A few seconds of Megamind.avi as Y4M (the raw format Chromium's fake camera plays, looping):
     * a text header, then per frame {@code FRAME\n} and the I420 planes.
     */
    public static synchronized Path fakeCamera() throws IOException {
        if (camera != null) {
            return camera;
        }
        // 720x528 scaled to 480x352; from frame 40 on (the clip fades in from black) a face is in view
        int width = 480;
        int height = 352;
        int frames = 40;
        int skip = 40;
        Files.createDirectories(ARTIFACTS);
        Path out = ARTIFACTS.resolve("megamind.y4m");
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(TestData.media("Megamind.avi").toFile());
             OpenCVFrameConverter.ToMat convert = new OpenCVFrameConverter.ToMat();
             OutputStream y4m = new BufferedOutputStream(Files.newOutputStream(out))) {
            grabber.start();
            y4m.write(("YUV4MPEG2 W" + width + " H" + height + " F10:1 Ip A1:1 C420jpeg\n").getBytes(StandardCharsets.US_ASCII));
            byte[] plane = new byte[width * height * 3 / 2];
            int written = 0;
            int index = 0;
            Frame f;
            while (written < frames && (f = grabber.grabImage()) != null) {
                if (index++ < skip || index % 2 == 0) {
                    continue; // every other frame: 4 s of the clip at 10 FPS
                }
                Mat bgr = convert.convert(f);
                try (Mat small = new Mat(); Mat yuv = new Mat()) {
                    resize(bgr, small, new Size(width, height));
                    cvtColor(small, yuv, COLOR_BGR2YUV_I420);
                    yuv.data().get(plane);
                }
                y4m.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
                y4m.write(plane);
                written++;
            }
            grabber.stop();
            if (written < frames) {
                throw new IOException("Megamind.avi gave " + written + " frames, wanted " + frames);
            }
        } catch (org.bytedeco.javacv.FrameGrabber.Exception e) {
            throw new IOException(e);
        }
        camera = out;
        return out;
    }
}
