package io.framewire.config;

import io.framewire.state.ResultsLimits;
import java.time.Duration;

/**
 * The bounds on what one client can make a host hold or spend (issue 25): bytes of results queued
 * per connection and in all, results kept for watchers, detections per frame, connections per
 * address and per token, and the first-frame deadline. {@code trustedProxies}: {@code private},
 * {@code none} or comma-separated addresses.
 */
public record Budgets(int maxPendingBytes, long maxPendingBytesTotal, ResultsLimits results, int maxDetections,
                      Duration firstFrame, int maxConnectionsPerIp, int maxConnectionsPerToken, String trustedProxies) {}
