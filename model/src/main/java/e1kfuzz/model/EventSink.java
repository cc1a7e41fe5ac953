package e1kfuzz.model;

/** Receives the model's events as they happen. */
@FunctionalInterface
public interface EventSink {
  void accept(Event event);
}
