package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Gc;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 10,000 malformed frames through a real detector, each decoded (or refused) before the next is
 * sent; Java heap after GC and the process's resident memory (OpenCV's native buffers and Mats)
 * must come back to where they were.
 */
class MalformedFrameLeakTest {

    private static final int FRAMES = 10_000;

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void malformedFramesLeakNeitherHeapNorNativeMemory() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
        List<byte[]> malformed = malformed(TestData.messi());
        try (WsClient client = WsClient.stream(server.port(), "leak")) {
            send(client, malformed, 500); // warm up: JIT, buffer pools, decoder state
            // Two equal rounds: a leak grows resident memory in each (one leaked 30 kB decode buffer per
            // frame is 150 MB a round); what glibc and the collector keep once is a step in the first
            // round only. malloc_trim before each reading returns the free native memory glibc holds.
            long heapBefore = heapAfterGc();
            long[] outside = new long[2];
            long t0 = System.nanoTime();
            for (int round = 0; round < 2; round++) {
                long rssBefore = rssKb();
                long committedBefore = committedHeapKb();
                send(client, malformed, FRAMES / 2);
                heapAfterGc();
                long rssAfter = rssKb();
                long committedAfter = committedHeapKb();
                outside[round] = (rssAfter - rssBefore) - Math.max(0, committedAfter - committedBefore);
                System.out.printf("leak check round %d: RSS %.1f -> %.1f MB, heap committed %.1f -> %.1f MB%n", round,
                        rssBefore / 1e3, rssAfter / 1e3, committedBefore / 1e3, committedAfter / 1e3);
            }
            long heapAfter = heapAfterGc();
            System.out.printf("leak check: %d malformed frames in %d s; heap after GC %.1f -> %.1f MB;"
                    + " resident growth outside the heap %d, %d kB%n", FRAMES, (System.nanoTime() - t0) / 1_000_000_000,
                    heapBefore / 1e6, heapAfter / 1e6, outside[0], outside[1]);
            assertThat(heapAfter - heapBefore).as("heap growth, bytes").isLessThan(4_000_000);
            assertThat(outside[1]).as("resident growth outside the heap in the second round, kB").isLessThan(32_000);
            assertThat(outside[0] + outside[1]).as("resident growth outside the heap in both rounds, kB").isLessThan(96_000);

            client.send(TestData.messi());
            JsonNode ok = client.next(WAIT);
            assertThat(ok.path("detections").size()).as("still finds the face").isEqualTo(1);
        }
    }

    /** Frames the worker must refuse: header-level and decode-level failures, cycled. */
    private static List<byte[]> malformed(byte[] jpeg) {
        int sof = LimitsServerTest.sof(jpeg);
        byte[] garbageScan = jpeg.clone();
        Arrays.fill(garbageScan, sof + 20, jpeg.length, (byte) 0x5A);   // valid header, decoder fails
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);   // decoder refuses the cut scan
        byte[] noise = new byte[20_000];
        new Random(42).nextBytes(noise);                                 // not an image
        byte[] bomb = jpeg.clone();                                      // refused from the header
        bomb[sof + 5] = bomb[sof + 6] = bomb[sof + 7] = bomb[sof + 8] = (byte) 0xFF;
        return List.of(garbageScan, truncated, noise, bomb, new byte[0]);
    }

    private static void send(WsClient client, List<byte[]> frames, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            client.send(frames.get(i % frames.size()));
            JsonNode m = client.next(WAIT);
            assertThat(m.path("type").asText()).as(m.toString()).isEqualTo("error");
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        Gc.settle();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long committedHeapKb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    private static long rssKb() throws Exception {
        Pointer.trimMemory();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
