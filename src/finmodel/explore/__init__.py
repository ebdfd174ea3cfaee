"""The interactive explorer (a front end): controls over a scenario's parameters, the
projection updated as they move, and the ipywidgets panel for JupyterLab."""
