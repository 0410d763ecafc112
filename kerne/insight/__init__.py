"""What leaders see: the statistics (pure), the dashboard, the lists, the exports, and the library of core tasks."""
