"""The server's routes, one router per resource: meta (health, styles, options, the page), images, jobs."""
