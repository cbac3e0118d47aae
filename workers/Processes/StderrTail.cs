namespace DSPex.Orleans.Workers.Processes;

/// <summary>The last lines a worker wrote to stderr, kept to explain a crash to the caller.</summary>
internal sealed class StderrTail(int capacity)
{
    private readonly Queue<string> _lines = new(capacity);

    public void Add(string line)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line.Length > 2000 ? line[..2000] + "…" : line);
        }
    }

    public string Text()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines);
        }
    }
}
