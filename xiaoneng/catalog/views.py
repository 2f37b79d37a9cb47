from django.http import HttpResponse


def guide_list(request):
    return HttpResponse("TODO")


def item_list(request):
    return HttpResponse("TODO")
