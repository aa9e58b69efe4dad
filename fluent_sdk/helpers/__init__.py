"""Interface helpers: what integration code calls directly, one module per interface.

- ``orders.py``        online store: create orders (no duplicates), read and iterate them
- ``inventory.py``     inventory master: bulk updates through the Job/Batch API, deltas, positions
- ``catalogue.py``     PIM: upsert categories and products
- ``fulfilments.py``   WMS / drop-ship: read fulfilments, send pick/ship/reject events
- ``consignments.py``  carrier: consignments, articles, tracking and labels
- ``payments.py``      payment: financial transactions against an order
- ``settings.py``, ``users.py``, ``locations.py``, ``networks.py``   platform configuration

Each module has an I/O-free base and thin sync / async classes, exposed lazily as
``client.<name>`` on `FluentClient` / `AsyncFluentClient`.
"""
