using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace FixedRnn.Demo;

/// <summary>
/// Reads one numeric column from a CSV file with a header row. Every problem becomes a
/// <see cref="DataFormatException"/> whose message names the file and line, so that a wrong file is a
/// one-line explanation rather than a stack trace.
/// </summary>
/// <remarks>
/// Only the requested column has to be numeric, so files with a date or label column (as exported by
/// spreadsheets and data vendors) load as they are. Fields may be quoted as RFC 4180 describes; a
/// quoted field may not span lines, which no price file needs.
/// </remarks>
public static class CsvLoader
{
    /// <summary>The fewest data rows the demo accepts: below this the 15 % test part is too short to say anything.</summary>
    public const int MinimumRows = 100;

    /// <summary>The optional column that labels the chart's time axis.</summary>
    public const string TimeColumn = "time";

    /// <summary>Reads <paramref name="column"/> from the CSV file at <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable or not a usable CSV.</exception>
    public static MarketSeries Load(string path, string column)
    {
        if (Directory.Exists(path))
        {
            throw new DataFormatException($"'{path}' is a directory, not a CSV file.");
        }

        if (!File.Exists(path))
        {
            throw new DataFormatException($"data file '{path}' does not exist.");
        }

        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Parse(reader, path, column);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>Reads <paramref name="column"/> from CSV text; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="DataFormatException">The text is not a usable CSV.</exception>
    public static MarketSeries Parse(TextReader reader, string source, string column)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(column);
        column = column.Trim();

        int lineNumber = 0;
        string? headerLine;
        do
        {
            headerLine = reader.ReadLine();
            lineNumber++;
        }
        while (headerLine is not null && string.IsNullOrWhiteSpace(headerLine));

        if (headerLine is null)
        {
            throw new DataFormatException($"'{source}' is empty; expected a header row such as 'time,DAX,SMI,CAC,FTSE'.");
        }

        List<string> header = SplitLine(headerLine, source, lineNumber);
        int valueIndex = FindColumn(header, column, source);
        int timeIndex = header.FindIndex(name => string.Equals(name, TimeColumn, StringComparison.OrdinalIgnoreCase));
        if (timeIndex == valueIndex)
        {
            timeIndex = -1;
        }

        var values = new List<double>();
        var time = timeIndex >= 0 ? new List<double>() : null;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            List<string> fields = SplitLine(line, source, lineNumber);
            if (fields.Count != header.Count)
            {
                throw new DataFormatException($"line {lineNumber} of '{source}' has {fields.Count} field{(fields.Count == 1 ? "" : "s")}; the header has {header.Count}.");
            }

            string cell = fields[valueIndex];
            if (!TryParseFinite(cell, out double value))
            {
                string shown = cell.Length == 0 ? "an empty cell" : $"'{cell}'";
                throw new DataFormatException($"line {lineNumber} of '{source}': {shown} in column '{header[valueIndex]}' is not a finite number.");
            }

            values.Add(value);

            // A time column is a nicety for the chart: the first cell that is not a number drops it
            // rather than rejecting a file whose data are fine.
            if (time is not null)
            {
                if (TryParseFinite(fields[timeIndex], out double t))
                {
                    time.Add(t);
                }
                else
                {
                    time = null;
                }
            }
        }

        if (values.Count < MinimumRows)
        {
            throw new DataFormatException($"'{source}' has {values.Count} data row{(values.Count == 1 ? "" : "s")}; the demo needs at least {MinimumRows}.");
        }

        return new MarketSeries(source, header[valueIndex], values.ToArray(), time?.ToArray());
    }

    private static int FindColumn(List<string> header, string column, string source)
    {
        int exact = header.IndexOf(column);
        if (exact >= 0)
        {
            return exact;
        }

        // Accept "dax" for "DAX", but only when that cannot pick the wrong one of two similar headers.
        int[] loose = Enumerable.Range(0, header.Count)
            .Where(i => string.Equals(header[i], column, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        if (loose.Length == 1)
        {
            return loose[0];
        }

        string available = string.Join(", ", header.Select(name => name.Length == 0 ? "(unnamed)" : name));
        throw new DataFormatException($"'{source}' has no column '{column}'; its columns are: {available}.");
    }

    private static bool TryParseFinite(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Splits one CSV line into trimmed fields, honouring double quotes and doubled quotes inside them.</summary>
    private static List<string> SplitLine(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new DataFormatException($"line {lineNumber} of '{source}' has an unclosed quote.");
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }
}
