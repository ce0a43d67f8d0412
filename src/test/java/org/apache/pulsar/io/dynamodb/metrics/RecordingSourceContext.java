package org.apache.pulsar.io.dynamodb.metrics;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.pulsar.io.core.SourceContext;

/**
 * A fake Pulsar SourceContext that records every recordMetric call with the thread that made it, and fails any other
 * call: the reporter must need nothing else from Pulsar.
 */
final class RecordingSourceContext {

    /** One recordMetric call. */
    record Call(String name, double value, String thread) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile RuntimeException failNext;

    SourceContext context() {
        return (SourceContext) Proxy.newProxyInstance(SourceContext.class.getClassLoader(),
                new Class<?>[] {SourceContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("recordMetric")) {
                        RuntimeException failure = failNext;
                        if (failure != null) {
                            failNext = null;
                            throw failure;
                        }
                        calls.add(new Call((String) args[0], ((Number) args[1]).doubleValue(),
                                Thread.currentThread().getName()));
                        return null;
                    }
                    if (method.getName().equals("toString")) {
                        return "RecordingSourceContext";
                    }
                    throw new UnsupportedOperationException("the reporter called SourceContext." + method.getName());
                });
    }

    /** The next recordMetric call throws this, as a broken Pulsar context might. */
    void failNextCall(RuntimeException failure) {
        failNext = failure;
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Call> calls(String name) {
        return calls.stream().filter(call -> call.name().equals(name)).toList();
    }

    /** What Pulsar's summary would show as {@code _sum} for this metric: the sum of the recorded values. */
    double sum(String name) {
        return calls(name).stream().mapToDouble(Call::value).sum();
    }

    /** The value of the latest call for this metric, or NaN when there was none. */
    double latest(String name) {
        List<Call> named = calls(name);
        return named.isEmpty() ? Double.NaN : named.get(named.size() - 1).value();
    }

    long count(Predicate<Call> which) {
        return calls.stream().filter(which).count();
    }
}
