package e1kfuzz.engine;

import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.List;

/** An exception thrown inside the model: a bug in e1kfuzz, kept with what reproduces it. */
public record InternalFailure(long run, Variant variant, String exception, List<Step> steps) {}
