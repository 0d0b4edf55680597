"""Entry points, thin layers over the library: the command line, the HTTP server and page, batch runs, the demo."""
