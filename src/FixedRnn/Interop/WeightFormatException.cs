using System;
using System.IO;

namespace FixedRnn.Interop;

/// <summary>
/// The exception thrown when a weight file is malformed, inconsistent, or otherwise cannot be trusted.
/// </summary>
/// <remarks>
/// Derives from <see cref="FormatException"/> (<see cref="InvalidDataException"/> is sealed) and deliberately not
/// from <see cref="IOException"/>, so that corrupt content stays distinguishable from file-system failures.
/// </remarks>
public sealed class WeightFormatException : FormatException
{
    /// <summary>Initializes a new instance with the specified message.</summary>
    /// <param name="message">A description of what is wrong with the content.</param>
    public WeightFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the specified message and the tensor it concerns.</summary>
    /// <param name="message">A description of what is wrong with the content.</param>
    /// <param name="tensorName">The name of the offending tensor, or <see langword="null"/> if the problem is not specific to one tensor.</param>
    public WeightFormatException(string message, string? tensorName)
        : base(message)
    {
        TensorName = tensorName;
    }

    /// <summary>Initializes a new instance with the specified message and the exception that revealed the problem.</summary>
    /// <param name="message">A description of what is wrong with the content.</param>
    /// <param name="innerException">The exception that revealed the problem.</param>
    public WeightFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance with the specified message, the tensor it concerns, and the exception that revealed the problem.</summary>
    /// <param name="message">A description of what is wrong with the content.</param>
    /// <param name="tensorName">The name of the offending tensor, or <see langword="null"/> if the problem is not specific to one tensor.</param>
    /// <param name="innerException">The exception that revealed the problem.</param>
    public WeightFormatException(string message, string? tensorName, Exception? innerException)
        : base(message, innerException)
    {
        TensorName = tensorName;
    }

    /// <summary>Gets the name of the tensor the problem concerns, or <see langword="null"/> if it is not specific to one tensor.</summary>
    public string? TensorName { get; }
}
