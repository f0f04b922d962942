"""The benchmarks, one module each; tools/<name> is the command line of
benches.<name> (dashes become underscores) and runs its main()."""
