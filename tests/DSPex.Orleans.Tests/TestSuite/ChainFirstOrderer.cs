using Xunit.Abstractions;

[assembly: TestCollectionOrderer("DSPex.Orleans.Tests.TestSuite.ChainFirstOrderer", "DSPex.Orleans.Tests")]

namespace DSPex.Orleans.Tests.TestSuite;

/// <summary>
/// Starts the chain of classes (the assembly's collection) before the side-by-side collections (<see cref="SideBySide"/>).
/// xunit starts parallel collections in its orderer's order, at most maxParallelThreads (2) at a time, and its default
/// orderer is random: the chain, the stage's longest collection by far, could start only after the side-by-side ones
/// had run two at a time beside each other, so the stage gained half their time instead of all of it. Started first,
/// the chain runs from the stage's start and the side-by-side collections take turns in the other slot beside it. The
/// rest keep a fixed order (by name); the collections that disable parallelization run after all of these either way.
/// </summary>
public sealed class ChainFirstOrderer : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => c.DisplayName.StartsWith(SideBySide.Prefix, StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
