package io.framewire.events;

import static io.framewire.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.framewire.metrics.Metrics;
import io.framewire.testing.MetricsText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook sink against a real HTTP receiver (the JDK's) that fails, is slow, or is down. */
class SinksTest {

    private static final String SECRET = "s3cret-for-the-webhook";

    /** What the receiver got: each request's event id, body and whether its signature checked out. */
    record Got(String id, String body, boolean signed) {}

    private final List<Got> got = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failFirst = new AtomicInteger();
    private final AtomicInteger slowMillis = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer receiver;
    private final Metrics metrics = new Metrics();

    private HttpServer receiver(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        s.createContext("/hook", ex -> {
            requests.incrementAndGet();
            byte[] body = ex.getRequestBody().readAllBytes();
            try {
                Thread.sleep(slowMillis.get()); // a slow receiver, on the receiver's own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = failFirst.getAndDecrement() > 0 ? 500 : 200;
            if (status == 200) {
                String sig = ex.getRequestHeaders().getFirst(WebhookSink.SIGNATURE);
                boolean ok = ("sha256=" + WebhookSink.sign(SECRET.getBytes(StandardCharsets.UTF_8), body)).equals(sig);
                got.add(new Got(ex.getRequestHeaders().getFirst(WebhookSink.EVENT_ID), new String(body, StandardCharsets.UTF_8), ok));
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        s.start();
        return s;
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    static Event event(int n) {
        return new Event("cam-1:1:" + n + ":door:enter:1", "enter", "cam-1", "door", n, "face", 0.9f,
                new int[] {1, 2, 3, 4}, 640, 480, 1_700_000_000_000L + n, 1, 0, false);
    }

    private double sample(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.ExpositionFormats.init().getPrometheusTextFormatWriter()
                .write(out, metrics.registry().scrape());
        return MetricsText.value(out.toString(StandardCharsets.UTF_8), s);
    }

    @Test
    void aReceiverThatFailsThenIsSlowGetsEveryEventOnceSignedInOrder() throws Exception {
        receiver = receiver(0);
        failFirst.set(4); // 500 for the first four requests
        slowMillis.set(150);
        WebhookSink sink = new WebhookSink(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), SECRET,
                100, Duration.ofSeconds(5), new FakeTicker(null));
        sink.start(metrics);
        try {
            for (int i = 1; i <= 20; i++) {
                assertThat(sink.offer(event(i))).isTrue();
            }
            await().until(() -> got.size() == 20);
            slowMillis.set(0);
            assertThat(got).extracting(Got::id).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> event(i).id()).toList());
            assertThat(got).allMatch(Got::signed);
            assertThat(got.getFirst().body()).isEqualTo(event(1).json());
            assertThat(sample("framewire_event_delivery_failures_total{sink=\"webhook\"}")).isEqualTo(4);
            assertThat(sample("framewire_events_delivered_total{sink=\"webhook\"}")).isEqualTo(20);
            await().until(() -> sink.backlog() == 0);
        } finally {
            sink.close();
        }
    }

    /**
     * Down for 30 s of the sink's clock (the port closed: connections refused), with more events
     * than its queue holds meanwhile: after it is back it gets every event the queue kept, in order,
     * and the counter says how many were dropped. No test time passes: the ticker is the test's.
     */
    @Test
    void aReceiverDownFor30SecondsGetsEveryQueuedEventAfterItReturns() throws Exception {
        HttpServer probe = receiver(0);
        int port = probe.getAddress().getPort();
        probe.stop(0); // down: the port refuses connections
        CountDownLatch emitted = new CountDownLatch(1);
        FakeTicker ticker = new FakeTicker(emitted);
        int bound = 50;
        WebhookSink sink = new WebhookSink(URI.create("http://127.0.0.1:" + port + "/hook"), SECRET, bound,
                Duration.ofSeconds(5), ticker);
        ticker.at(Duration.ofSeconds(30), () -> receiver = receiver(port));
        sink.start(metrics);
        try {
            sink.offer(event(1));
            await().until(() -> ticker.sleeping.get() > 0); // event 1 failed once and waits for its retry
            int total = 200;
            int dropped = 0;
            for (int i = 2; i <= total; i++) {
                if (!sink.offer(event(i))) {
                    dropped++;
                }
            }
            assertThat(dropped).isEqualTo(total - 1 - bound);
            assertThat(sink.backlog()).isEqualTo(bound + 1);
            emitted.countDown();
            await().until(() -> got.size() == bound + 1);
            assertThat(ticker.nanos()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(30));
            assertThat(got).extracting(Got::id).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, bound + 1).mapToObj(i -> event(i).id()).toList());
            assertThat(sample("framewire_events_dropped_total{sink=\"webhook\"}")).isEqualTo(total - 1 - bound);
            assertThat(sample("framewire_event_delivery_failures_total{sink=\"webhook\"}")).isGreaterThanOrEqualTo(5);
            await().until(() -> sink.backlog() == 0);
            assertThat(sample("framewire_events_backlog{sink=\"webhook\"}")).isZero();
        } finally {
            sink.close();
        }
    }

    @Test
    void aFinal4xxGivesTheEventUpAndTheNextGoesOn() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            boolean refuse = new String(body, StandardCharsets.UTF_8).contains("\"track\":1,");
            if (!refuse) {
                got.add(new Got(ex.getRequestHeaders().getFirst(WebhookSink.EVENT_ID), "", true));
            }
            ex.sendResponseHeaders(refuse ? 422 : 204, -1);
            ex.close();
        });
        receiver.start();
        WebhookSink sink = new WebhookSink(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), null,
                10, Duration.ofSeconds(5), new FakeTicker(null));
        sink.start(metrics);
        try {
            sink.offer(event(1));
            sink.offer(event(2));
            await().until(() -> got.size() == 1);
            assertThat(got.getFirst().id()).isEqualTo(event(2).id());
            assertThat(sample("framewire_events_dropped_total{sink=\"webhook\"}")).isEqualTo(1);
        } finally {
            sink.close();
        }
    }

    /** A clock that only moves when the sink sleeps on it; {@code gate}: sleeps wait for it first. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong now = new AtomicLong();
        private final CountDownLatch gate;
        final AtomicInteger sleeping = new AtomicInteger();
        private long actionAt = Long.MAX_VALUE;
        private IoAction action;

        interface IoAction {
            void run() throws IOException;
        }

        FakeTicker(CountDownLatch gate) {
            this.gate = gate;
        }

        void at(Duration t, IoAction a) {
            actionAt = t.toNanos();
            action = a;
        }

        @Override
        public long nanos() {
            return now.get();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            sleeping.incrementAndGet();
            if (gate != null) {
                gate.await();
            }
            long t = now.addAndGet(nanos);
            if (t >= actionAt && action != null) {
                IoAction a = action;
                action = null;
                try {
                    a.run();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
