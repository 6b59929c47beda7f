package io.framewire.state;

import java.util.function.IntSupplier;

/** What the host record says about this host. */
public record HostInfo(String id, String address, int capacity, String version, IntSupplier streams) {}
