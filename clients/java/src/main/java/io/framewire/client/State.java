package io.framewire.client;

/** Where a client is: connecting, open, waiting to reconnect, or stopped for good. */
public enum State { CONNECTING, OPEN, WAITING, STOPPED }
