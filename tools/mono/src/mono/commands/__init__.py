"""One module per command, named like it: each reads its arguments, calls the engine and the repo
layer, and returns values (or raises MonoError); none prints."""
