package org.apache.pulsar.io.dynamodb.e2e;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The README's quickstart ({@code mvn -q -Pquickstart verify}): DynamoDB Local, a Pulsar standalone broker, and the
 * built NAR run by Pulsar's LocalRunner as {@code pulsar-admin sources localrun --archive} runs it; writes ten
 * items, an update and a delete, and prints the twelve messages as {@code pulsar-client consume} does. Exits 0
 * once all arrived, 1 with the reason otherwise; stops everything it started on exit and on Ctrl-C.
 */
public final class Quickstart {

    private static final String TABLE = "users";
    private static final String SOURCE_NAME = "dynamodb-quickstart";
    private static final String TOPIC = "persistent://public/default/users-changes";
    private static final String APPLICATION = "pulsar-dynamodb-quickstart";
    private static final int EXPECTED = 12;

    private final Instant commandStart;
    private final Instant deadline;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicReference<Instant> firstMessage = new AtomicReference<>();
    private Instant connectorStarted;
    private final java.util.concurrent.atomic.AtomicBoolean cleanupClaimed = new java.util.concurrent.atomic.AtomicBoolean();
    private LocalRunnerSource source;
    private Instant lastHeartbeat = Instant.now();

    private Quickstart(Duration timeout) {
        this.commandStart = commandStart();
        this.deadline = Instant.now().plus(timeout);
    }

    // DynamoDB Local's AWS SDK v1 warns through java.util.logging that JAXB is missing: keep that off the console.
    private static final java.util.logging.Logger SDK_V1_LOG = java.util.logging.Logger.getLogger("com.amazonaws");

    public static void main(String[] args) {
        SDK_V1_LOG.setLevel(java.util.logging.Level.SEVERE);
        Duration timeout = Duration.ofSeconds(Long.getLong("quickstart.timeoutSeconds", 180));
        Quickstart quickstart = new Quickstart(timeout);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Ctrl-C or kill: only when run() has not finished (main then calls stopAll itself).
            if (quickstart.cleanupClaimed.compareAndSet(false, true)) {
                quickstart.say("interrupted");
                quickstart.stopAll();
            }
        }, "quickstart-cleanup"));
        int exitCode;
        try {
            quickstart.run();
            exitCode = 0;
        } catch (QuickstartFailure e) {
            exitCode = quickstart.fail(e.getMessage());
        } catch (Exception e) {
            exitCode = quickstart.fail(e.toString());
            e.printStackTrace();
        }
        if (quickstart.cleanupClaimed.compareAndSet(false, true)) {
            quickstart.stopAll();
            System.exit(exitCode);
        }
    }

    /** When the command began: as quickstart.sh says, else the Maven JVM that forked this one, else this JVM. */
    private static Instant commandStart() {
        String nanos = System.getProperty("quickstart.commandStartNanos", "");
        if (nanos.matches("\\d{10,}")) {
            long epochNanos = Long.parseLong(nanos);
            return Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L);
        }
        ProcessHandle self = ProcessHandle.current();
        Optional<Instant> parentStart = self.parent()
                .filter(p -> p.info().command().map(c -> c.endsWith("java") || c.endsWith("java.exe")).orElse(false))
                .flatMap(p -> p.info().startInstant());
        return parentStart.or(() -> self.info().startInstant()).orElse(Instant.now());
    }

    private void run() throws Exception {
        PulsarRuntime runtime = PulsarRuntime.fromSystemProperties();
        Path dir = runtime.workDir().resolve("quickstart");
        say("starting Pulsar standalone and DynamoDB Local on free 127.0.0.1 ports");
        PulsarStandalone pulsar = started(PulsarStandalone.start(runtime, dir.resolve("pulsar")));
        DynamoDbLocal dynamo = started(quietly(DynamoDbLocal::start));
        say("DynamoDB Local ready at " + dynamo.endpoint());
        String streamArn = dynamo.createTableWithStream(TABLE);
        say("table '" + TABLE + "' created with a NEW_AND_OLD_IMAGES stream: " + streamArn);

        say("waiting for Pulsar (log: " + pulsar.jvm().log() + ")");
        try {
            pulsar.awaitReady(remaining());
        } catch (IllegalStateException e) {
            throw new QuickstartFailure(e.getMessage());
        }
        say("Pulsar ready at " + pulsar.brokerServiceUrl() + " (admin " + pulsar.webServiceUrl() + ")");

        PulsarClient client = started(PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build());
        started(TopicConsumer.subscribe(client, TOPIC, "quickstart", SubscriptionType.Exclusive, "quickstart",
                this::print));

        String config = """
                {"awsEndpoint": "%1$s", "dynamoEndpoint": "%1$s", "awsRegion": "us-east-1", \
                "awsDynamodbStreamArn": "%2$s", \
                "awsCredentialPluginParam": "{\\"accessKey\\":\\"%3$s\\",\\"secretKey\\":\\"%4$s\\"}", \
                "applicationName": "%5$s", "initialPositionInStream": "TRIM_HORIZON", "checkpointInterval": 10000}"""
                .formatted(dynamo.endpoint(), streamArn, DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY,
                        APPLICATION);
        Path log = dir.resolve("localrunner.log");
        say("starting the connector from " + relative(runtime.nar()) + " with Pulsar's LocalRunner, as\n"
                + "      pulsar-admin sources localrun --archive " + relative(runtime.nar()) + " --name "
                + SOURCE_NAME + " --destination-topic-name " + TOPIC + " \\\n"
                + "        --source-config '" + config + "'\n"
                + "      would (log: " + log + ")");
        connectorStarted = Instant.now();
        source = started(LocalRunnerSource.start(runtime, pulsar,
                new LocalRunnerSource.Options(SOURCE_NAME, TOPIC, config), log));

        waitFor("the connector to create its KCL lease table '" + APPLICATION + "'",
                () -> tableExists(dynamo, APPLICATION));
        say("connector running: KCL lease table '" + APPLICATION + "' created");

        for (int i = 0; i < 10; i++) {
            dynamo.put(TABLE, Map.of(
                    "id", AttributeValue.fromS("user" + i),
                    "name", AttributeValue.fromS("user" + i),
                    "age", AttributeValue.fromN(Integer.toString(20 + i)),
                    "email", AttributeValue.fromS("user" + i + "@example.com")));
        }
        dynamo.put(TABLE, Map.of(
                "id", AttributeValue.fromS("user0"),
                "name", AttributeValue.fromS("user0"),
                "age", AttributeValue.fromN("21"),
                "email", AttributeValue.fromS("user0@example.com")));
        dynamo.delete(TABLE, "user9");
        say("wrote 10 items (user0 to user9), updated user0's age, deleted user9");

        say("waiting for KCL to take the shard's lease (a few seconds)");
        AtomicReference<String> owner = new AtomicReference<>();
        waitFor("KCL to take the shard's lease", () -> {
            owner.set(leaseOwner(dynamo, APPLICATION));
            return owner.get() != null || received.get() > 0;
        });
        if (owner.get() != null) {
            say("lease acquired by worker " + owner.get() + "; reading the stream from TRIM_HORIZON");
        }

        waitFor("all " + EXPECTED + " changes on " + TOPIC, () -> received.get() >= EXPECTED);
        say(String.format(Locale.ROOT, "all %d changes received; first message %.1f s after the connector started"
                        + " (%.1f s after the command started)", received.get(),
                seconds(Duration.between(connectorStarted, firstMessage.get())),
                seconds(Duration.between(commandStart, firstMessage.get()))));
    }

    /** Reports a failure, unless it is only the consequence of Ctrl-C stopping everything. */
    private int fail(String reason) {
        if (!cleanupClaimed.get()) {
            say("FAILED: " + reason);
        }
        return 1;
    }

    private void print(ReceivedMessage message) {
        firstMessage.compareAndSet(null, Instant.now());
        synchronized (System.out) {
            System.out.println(message.toConsoleString());
        }
        received.incrementAndGet();
    }

    private void waitFor(String what, Callable<Boolean> condition) {
        try {
            Awaitility.await(what).atMost(remaining()).pollInterval(Duration.ofMillis(250))
                    .failFast("the connector failed", () -> !source.jvm().isAlive()
                            || source.jvm().logText().contains("Uncaught exception in Java Instance"))
                    .until(() -> {
                        heartbeat(what);
                        return condition.call();
                    });
        } catch (ConditionTimeoutException e) {
            throw new QuickstartFailure("timed out after " + Duration.between(commandStart, Instant.now())
                    .toSeconds() + " s waiting for " + what + " (" + received.get() + " of " + EXPECTED
                    + " messages received)" + errorsOf(source) + "\n  full log: " + source.jvm().log()
                    + "\n  (a slower machine may need more time: -Dquickstart.timeoutSeconds=300)");
        } catch (TerminalFailureException e) {
            throw new QuickstartFailure("the connector failed while waiting for " + what + errorsOf(source)
                    + "\n  full log: " + source.jvm().log());
        }
    }

    private void heartbeat(String what) {
        if (Duration.between(lastHeartbeat, Instant.now()).toSeconds() >= 15) {
            say("... still waiting for " + what);
        }
    }

    private static String errorsOf(LocalRunnerSource source) {
        String errors = source == null ? "" : source.errors().strip();
        return errors.isEmpty() ? "" : "\n  connector errors:\n" + errors.indent(4).stripTrailing();
    }

    private static boolean tableExists(DynamoDbLocal dynamo, String table) {
        try {
            return dynamo.client().describeTable(b -> b.tableName(table)).table() != null;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    private static String leaseOwner(DynamoDbLocal dynamo, String table) {
        try {
            return dynamo.client().scan(b -> b.tableName(table)).items().stream()
                    .map(item -> item.get("leaseOwner"))
                    .filter(v -> v != null && v.s() != null && !v.s().isEmpty())
                    .map(AttributeValue::s)
                    .findFirst().orElse(null);
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private Duration remaining() {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new QuickstartFailure("deadline passed (" + received.get() + " of " + EXPECTED
                    + " messages received)" + errorsOf(source));
        }
        return left;
    }

    private <T extends AutoCloseable> T started(T resource) {
        synchronized (started) {
            started.add(resource);
        }
        return resource;
    }

    /** Runs a start-up step with System.out held back: DynamoDB Local prints a banner. */
    private static <T> T quietly(Callable<T> step) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        System.setOut(new PrintStream(held, true, StandardCharsets.UTF_8));
        try {
            return step.call();
        } finally {
            System.setOut(out);
        }
    }

    /** Stops everything started, newest first; runs once, from main or from the shutdown hook on Ctrl-C. */
    private void stopAll() {
        List<AutoCloseable> toStop;
        synchronized (started) {
            if (started.isEmpty()) {
                return;
            }
            toStop = new ArrayList<>(started);
            started.clear();
        }
        say("stopping the connector, Pulsar and DynamoDB Local");
        for (int i = toStop.size() - 1; i >= 0; i--) {
            try {
                toStop.get(i).close();
            } catch (Exception e) {
                say("stopping " + toStop.get(i).getClass().getSimpleName() + " failed: " + e);
            }
        }
        say("stopped");
    }

    private void say(String line) {
        lastHeartbeat = Instant.now();
        synchronized (System.out) {
            System.out.printf(Locale.ROOT, "[quickstart %5.1fs] %s%n",
                    seconds(Duration.between(commandStart, Instant.now())), line);
            System.out.flush();
        }
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static String relative(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        return path.startsWith(cwd) ? cwd.relativize(path).toString() : path.toString();
    }

    private static final class QuickstartFailure extends RuntimeException {
        QuickstartFailure(String message) {
            super(message, null, false, false);
        }
    }
}
