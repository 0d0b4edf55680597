"""Folders of photos and clips: the plan (plan.py), one machine (local.py), a Ray cluster (on_ray.py)."""
