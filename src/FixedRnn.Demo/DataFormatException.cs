using System;

namespace FixedRnn.Demo;

/// <summary>
/// The input data cannot be used. The message is written for the person who ran the demo: it names the
/// file, the line or column and what was expected, and Program prints it as a single line.
/// </summary>
public sealed class DataFormatException(string message) : Exception(message);
