using System;

namespace FixedRnn.Demo;

/// <summary>The chart or the forecasts cannot be written; the message names the path and the reason.</summary>
public sealed class OutputException(string message, Exception inner) : Exception(message, inner);
