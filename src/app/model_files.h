/* model_files.h -- the part of the chat model that holds file offers and transfers (private
 * to src/app: model.c owns one and feeds it every event) */
#ifndef UDPCHAT_MODEL_FILES_H
#define UDPCHAT_MODEL_FILES_H
#include "udpchat/model.h"

typedef struct model_files model_files;
model_files *model_files_create(void);
void model_files_destroy(model_files *f); /* accepts NULL */
void model_files_apply(model_files *f, const chat_event *ev);
model_files *model_files_of(const model *m); /* model.c */

#endif
