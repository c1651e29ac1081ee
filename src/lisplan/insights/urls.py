from django.urls import path

from lisplan.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("eksport.<str:fmt>", views.export_table, name="export_table"),
    path("indikator/<str:code>/", views.drill_down, name="rows"),
    path("indikator/<str:code>/eksport.<str:fmt>", views.export_rows, name="export_rows"),
    path("sammenligning/", views.comparison, name="comparison"),
    path("trender/", views.trends, name="trends"),
    path("innhostinger/", views.harvests, name="harvests"),
    path("innhostinger/start/", views.harvest_start, name="harvest_start"),
    path("for-innhosting/", views.worklist, name="worklist"),
    path("for-innhosting/paminnelse/", views.worklist_remind, name="remind"),
]
