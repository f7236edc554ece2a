print("crm")
