package e1kfuzz.engine;

import e1kfuzz.model.DeviceState;
import e1kfuzz.model.Event;
import e1kfuzz.model.Step;
import java.util.List;

/** One executed step: the state after it and what the device did during it. */
public record StepRow(int number, Step step, DeviceState state, List<Event> events) {}
