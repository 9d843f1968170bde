// A stand-in for Vite's hashed entry chunk: the infra tests deploy this directory instead of a console build.
