package io.framewire.server;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * A deadline on reading request headers that a trickle cannot extend: Jetty's idle timeout starts
 * over with every byte, so one header line every few seconds held a connection (and its buffers)
 * for as long as the client liked. An HTTP connection must complete a request's headers within
 * {@code timeoutMs} of opening, and each next request within as long again; otherwise it is closed.
 * A connection upgraded to a WebSocket has left HTTP and is no longer watched.
 */
final class HeaderDeadline implements Connection.Listener {

    private final Connector connector;
    private final long timeoutMs;

    HeaderDeadline(Connector connector, long timeoutMs) {
        this.connector = connector;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            schedule(http, 0);
        }
    }

    private void schedule(HttpConnection http, long requestsSeen) {
        connector.getScheduler().schedule(() -> check(http, requestsSeen), timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void check(HttpConnection http, long requestsSeen) {
        EndPoint endPoint = http.getEndPoint();
        if (!endPoint.isOpen() || endPoint.getConnection() != http) {
            return; // closed, or upgraded
        }
        long requests = http.getMessagesIn(); // counts a request once its headers are complete
        if (requests == requestsSeen) {
            endPoint.close();
        } else {
            schedule(http, requests);
        }
    }
}
