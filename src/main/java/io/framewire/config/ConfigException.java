package io.framewire.config;

/** A setting with a bad or missing value; the message names the setting. Fails start-up. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
