package io.framewire.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Plain HTTP GETs to an in-process server on loopback. */
public final class Http {

    private Http() {}

    /** {@code GET http://127.0.0.1:port/path}, the body as a string. */
    public static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The server's {@code /metrics} text. */
    public static String metrics(int port) throws IOException, InterruptedException {
        return get(port, "/metrics").body();
    }
}
