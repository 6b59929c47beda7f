package io.framewire.state;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Where Redis is and how to talk to it ({@code --redis redis://[user:password@]host:port[/db]},
 * {@code rediss://} for TLS; {@code redis.user}, {@code redis.password}, {@code redis.tls} override
 * the URL). {@link #toString()} never shows the password.
 */
public record RedisConfig(String host, int port, int database, String user, String password, boolean tls,
                          Duration timeout, int publishQueue, long publishQueueBytes, Duration recordTtl,
                          Duration retention, Duration rebalanceDelay, Duration rebalanceWindow) {

    /** {@code redis.rebalanceDelayMs}: after a host joins, the balancer's time to take it back first. */
    public static final Duration REBALANCE_DELAY = Duration.ofSeconds(10);
    /** {@code redis.rebalanceWindowMs}: the handbacks to a host that joined are spread over this. */
    public static final Duration REBALANCE_WINDOW = Duration.ofSeconds(30);

    /**
     * Parses the URL; the overrides may be null (not given).
     *
     * @throws IllegalArgumentException naming {@code --redis}, with the password masked
     */
    public static RedisConfig parse(String url, String user, String password, Boolean tls, Duration timeout,
                                    int publishQueue, long publishQueueBytes, Duration recordTtl, Duration retention) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw bad(url, e.getReason());
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw bad(url, "scheme must be redis:// or rediss:// (TLS)");
        }
        if (uri.getHost() == null) {
            throw bad(url, "no host");
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw bad(url, "port must be 1 to 65535");
        }
        int db = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                db = -1;
            }
            if (db < 0 || db > 15) {
                throw bad(url, "database must be /0 to /15");
            }
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw bad(url, "no query or fragment expected; use the redis.* settings");
        }
        String urlUser = null;
        String urlPassword = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            urlUser = decode(colon < 0 ? info : info.substring(0, colon));
            urlPassword = colon < 0 ? null : decode(info.substring(colon + 1));
            if (urlUser.isEmpty()) {
                urlUser = null; // redis://:password@host
            }
            if (colon < 0) { // redis://password@host is the common short form
                urlPassword = urlUser;
                urlUser = null;
            }
        }
        return new RedisConfig(uri.getHost(), port, db,
                user != null ? user : urlUser,
                password != null ? password : urlPassword,
                tls != null ? tls : scheme.equals("rediss"),
                timeout, publishQueue, publishQueueBytes, recordTtl, retention, REBALANCE_DELAY, REBALANCE_WINDOW);
    }

    /**
     * The same, handing streams back to a host that (re)joins the fleet {@code delay} after it joined,
     * spread over {@code window} ({@link Duration#ZERO}: never; issue #25 F5).
     */
    public RedisConfig withRebalance(Duration delay, Duration window) {
        return new RedisConfig(host, port, database, user, password, tls, timeout, publishQueue, publishQueueBytes,
                recordTtl, retention, delay, window);
    }

    /** Streams are handed back to a host that (re)joins. */
    public boolean rebalances() {
        return !rebalanceWindow.isZero();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Names the setting; config turns it into a start-up error. */
    private static IllegalArgumentException bad(String url, String why) {
        return new IllegalArgumentException("invalid --redis '" + mask(url) + "' (" + why
                + "; expected redis://[user:password@]host:port[/db] or rediss://...)");
    }

    /** The URL with any password replaced, for messages and logs. */
    static String mask(String url) {
        return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@").replaceAll("//([^:@/]+)@", "//***@");
    }

    /** For logs: no credentials. */
    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + host + ":" + port + "/" + database
                + (user != null ? " as " + user : "") + (password != null ? " (password set)" : "");
    }
}
