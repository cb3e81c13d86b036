"""Reading documents: inbox files into text documents or rejections with a reason, and which files are new."""
