package org.apache.pulsar.io.dynamodb.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.message.Message;

/**
 * Captures every log4j2 event at the root logger while open, as text taken at once: level, logger, formatted
 * message, raw format, each parameter and the full stack trace of the throwable (causes and suppressed).
 * Optionally lowers given loggers' levels for the duration, restoring them on close.
 */
public final class LogCapture implements AutoCloseable {

    /** One event, as text. */
    public record Event(Level level, String logger, String message, String format, List<String> parameters,
                        String thrown) {
        public boolean hasThrowable() {
            return thrown != null;
        }

        /** Everything the event could print. */
        public String allText() {
            return logger + "\n" + message + "\n" + format + "\n" + String.join("\n", parameters) + "\n"
                    + (thrown == null ? "" : thrown);
        }

        @Override
        public String toString() {
            return level + " " + logger + " - " + message + (thrown == null ? "" : " [" + firstLine(thrown) + "]");
        }

        private static String firstLine(String text) {
            int end = text.indexOf('\n');
            return end < 0 ? text : text.substring(0, end);
        }
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Map<String, LoggerConfig> addedLoggers = new HashMap<>();
    private final Map<String, Level> previousLevels = new HashMap<>();
    private final LoggerContext context;
    private final Appender appender;

    private LogCapture(Map<String, Level> levels) {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = new Appender();
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        for (Map.Entry<String, Level> entry : levels.entrySet()) {
            LoggerConfig existing = entry.getKey().isEmpty() ? config.getRootLogger()
                    : config.getLoggers().get(entry.getKey());
            if (existing != null) {
                previousLevels.put(entry.getKey(), existing.getLevel());
                existing.setLevel(entry.getValue());
            } else {
                LoggerConfig added = new LoggerConfig(entry.getKey(), entry.getValue(), true);
                config.addLogger(entry.getKey(), added);
                addedLoggers.put(entry.getKey(), added);
            }
        }
        // Loggers below a lowered one that have their own config keep their level unless lowered too.
        for (LoggerConfig logger : config.getLoggers().values()) {
            for (Map.Entry<String, Level> entry : levels.entrySet()) {
                if (!entry.getKey().isEmpty() && logger.getName().startsWith(entry.getKey() + ".") && !previousLevels.containsKey(logger.getName())
                        && !addedLoggers.containsKey(logger.getName())) {
                    previousLevels.put(logger.getName(), logger.getLevel());
                    logger.setLevel(entry.getValue());
                }
            }
        }
        context.updateLoggers();
    }

    /** Captures at the configured levels. */
    public static LogCapture start() {
        return new LogCapture(Map.of());
    }

    /**
     * Captures, with these loggers (and any configured below them) set to these levels meanwhile; "" is the root,
     * and lowers only loggers configured with no level of their own.
     */
    public static LogCapture start(Map<String, Level> levels) {
        return new LogCapture(levels);
    }

    public List<Event> events() {
        return new ArrayList<>(events);
    }

    public List<Event> eventsAtLeast(Level level) {
        return events.stream().filter(e -> e.level().isMoreSpecificThan(level)).collect(Collectors.toList());
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        for (Map.Entry<String, Level> entry : previousLevels.entrySet()) {
            LoggerConfig logger = entry.getKey().isEmpty() ? config.getRootLogger()
                    : config.getLoggers().get(entry.getKey());
            if (logger != null) {
                logger.setLevel(entry.getValue());
            }
        }
        for (String name : addedLoggers.keySet()) {
            config.removeLogger(name);
        }
        context.updateLoggers();
        appender.stop();
    }

    private static String stackTrace(Throwable thrown) {
        StringWriter out = new StringWriter();
        thrown.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private final class Appender extends AbstractAppender {
        Appender() {
            super("capture-" + System.identityHashCode(LogCapture.this), null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            Message message = event.getMessage();
            Object[] parameters = message.getParameters();
            List<String> parameterText = parameters == null ? List.of()
                    : Arrays.stream(parameters).map(p -> p instanceof Throwable t ? stackTrace(t) : String.valueOf(p))
                            .collect(Collectors.toList());
            events.add(new Event(event.getLevel(), event.getLoggerName(), message.getFormattedMessage(),
                    message.getFormat(), parameterText,
                    event.getThrown() == null ? null : stackTrace(event.getThrown())));
        }
    }
}
