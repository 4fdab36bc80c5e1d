import { Injectable, NotFoundException } from '@nestjs/common';
import { articleVersions } from './article-versions.js';

export interface UpdateArticle {
  title: string;
}

/** The slow part of the README's ArticlesController, here an in-memory stand-in. */
@Injectable()
export class ArticlesService {
  private readonly titles = new Map<string, string>([['1', 'Early hints']]);

  load(id: string): Promise<{ title: string; version: string | undefined }> {
    const title = this.titles.get(id);
    if (title === undefined) throw new NotFoundException(`No article ${id}`);
    return Promise.resolve({ title, version: articleVersions.etag(id) });
  }

  update(id: string, body: UpdateArticle): Promise<{ title: string }> {
    this.titles.set(id, body.title);
    return Promise.resolve({ title: body.title });
  }
}
